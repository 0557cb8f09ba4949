import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createWebApi } from '../../src/playground/slack/web-api.js';
import { BOT_USER, SlackWorkspace } from '../../src/playground/slack/workspace.js';

const DIR = new URL('../../src/playground/slack/', import.meta.url).pathname;
const files = (sub = ''): string[] =>
  readdirSync(join(DIR, sub), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(sub, e.name)) : [join(sub, e.name)],
  );
const imports = (file: string) =>
  [...readFileSync(join(DIR, file), 'utf8').matchAll(/(?:from\s+|import\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

/**
 * What only a test may use stays in test/support/fake-slack: the Block Kit
 * schema (ajv and ../shared), the HTTP front with its faults, limits, hooks and
 * call log, and inspection. The workspace the playground serves from
 * src/playground/slack may import only Node's own modules and itself.
 */
const TEST_ONLY = new Set(['block-kit.ts', 'server.ts', 'inspect.ts', 'limits.ts']);

describe('the fake Slack keeps its workspace apart from what only tests need', () => {
  it('the workspace and its Web API methods import only node: modules and each other', () => {
    const portable = files();
    expect(portable).toEqual(expect.arrayContaining(['workspace.ts', 'web-api.ts', 'methods/chat.ts']));
    expect(portable.filter((f) => TEST_ONLY.has(f))).toEqual([]);
    for (const file of portable) {
      const outside = imports(file).filter((spec) => {
        if (spec.startsWith('node:')) return false;
        if (!spec.startsWith('.')) return true;
        const target = normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts');
        return target.startsWith('..');
      });
      expect({ file, outside }).toEqual({ file, outside: [] });
    }
  });

  it('the methods refuse blocks and views by the validation they are given, not one of their own', () => {
    const workspace = new SlackWorkspace();
    workspace.addChannel('incidents', [BOT_USER]);
    const channel = workspace.channelByName('incidents')!.id;
    const refuseTables = {
      messageBlocks: (blocks: unknown) => (JSON.stringify(blocks).includes('"table"') ? ['no tables here'] : []),
      modal: () => ['no modals here'],
    };
    const api = createWebApi({ workspace, validation: refuseTables, baseUrl: () => 'http://playground.test' });
    const table = [{ type: 'table', rows: [] }];
    expect(api.call('chat.postMessage', { channel, text: 'x', blocks: table })).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      errors: ['no tables here'],
    });
    const loose = [{ type: 'made_up_block' }];
    expect(api.call('chat.postMessage', { channel, text: 'x', blocks: loose })).toMatchObject({ ok: true });
    const view = { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] };
    expect(api.call('views.open', { trigger_id: workspace.issueTrigger(), view })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] no modals here'] },
    });
    expect(api.call('files.getUploadURLExternal', { filename: 'a.md', length: 3 })).toMatchObject({
      ok: true,
      upload_url: expect.stringMatching(/^http:\/\/playground\.test\/upload\/F[A-Z0-9]{10}$/),
    });
  });
});
