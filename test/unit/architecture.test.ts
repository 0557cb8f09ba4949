import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(ROOT, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
const imports = (file: string) =>
  [...readFileSync(join(ROOT, file), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
const VENDORS = /^(@slack\/|bullmq|ioredis|pg$|@kubernetes\/|@pagerduty\/|pino|prom-client)/;
const ADAPTERS = ['slack', 'jobs', 'postgres', 'kube', 'pagerduty', 'http', 'diag'];

describe('layering: logic in the middle, vendors at the edge', () => {
  const src = files('src');

  it('the domain imports no SDK and reads no environment', () => {
    for (const file of src.filter((f) => /^src\/(incident|runbook|alerts)\//.test(f))) {
      expect({ file, vendors: imports(file).filter((i) => VENDORS.test(i)) }).toEqual({ file, vendors: [] });
      expect({ file, env: readFileSync(join(ROOT, file), 'utf8').includes('process.env') }).toEqual({
        file,
        env: false,
      });
      expect({ file, adapters: imports(file).filter((i) => ADAPTERS.some((a) => i.includes(`/${a}/`))) }).toEqual({
        file,
        adapters: [],
      });
    }
  });

  it('adapters never import each other', () => {
    for (const file of src) {
      const own = relative('src', file).split('/')[0]!;
      if (!ADAPTERS.includes(own)) continue;
      const others = imports(file).filter((i) => ADAPTERS.some((a) => a !== own && i.startsWith(`../${a}/`)));
      expect({ file, others }).toEqual({ file, others: [] });
    }
  });

  it('only config.ts reads the environment, and nothing in src imports main.ts', () => {
    for (const file of src) {
      if (file !== 'src/config.ts' && file !== 'src/main.ts')
        expect({ file, env: readFileSync(join(ROOT, file), 'utf8').includes('process.env') }).toEqual({
          file,
          env: false,
        });
      expect({ file, main: imports(file).some((i) => /\/main\.js$/.test(i)) }).toEqual({ file, main: false });
    }
  });

  it('Block Kit lives only in slack/', () => {
    for (const file of src.filter((f) => !f.startsWith('src/slack/'))) {
      expect({
        file,
        blocks: /type:\s*'(section|header|actions)'/.test(readFileSync(join(ROOT, file), 'utf8')),
      }).toEqual({ file, blocks: false });
    }
  });

  it('the domain speaks in people, groups and channels, never in Slack markup', () => {
    // A mention, a user group, a channel link, a broadcast or a date token in any string or regex of the domain.
    const MARKUP = /<(@|#|!subteam|!date|!here|!channel|!everyone)|<\\?@\(|<!subteam\\\^|<#\(/;
    for (const file of src.filter((f) => /^src\/(incident|runbook|alerts)\//.test(f))) {
      const lines = readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, n) =>
          MARKUP.test(line) && !line.trimStart().startsWith('//') ? [`${n + 1}: ${line.trim()}`] : [],
        );
      expect({ file, markup: lines }).toEqual({ file, markup: [] });
    }
  });

  it('Slack markup for people, groups and channels is written and read only in slack/mentions.ts', () => {
    const markup = /<(@|#|!subteam)/;
    const outside = src
      .filter((f) => f !== 'src/slack/mentions.ts')
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .flatMap((line, n) => {
            const code = line.trimStart();
            const comment = code.startsWith('//') || code.startsWith('*') || code.startsWith('/*');
            return markup.test(line) && !comment ? [`${f}:${n + 1}`] : [];
          }),
      );
    expect(outside).toEqual([]);
  });

  it('user-group detection and mention parsing live in slack/mentions.ts', () => {
    const groupTest = /startsWith\('S'\)|\[UW\]\[A-Z0-9\]/;
    const outside = src.filter(
      (f) => !f.startsWith('src/slack/') && groupTest.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('Slack payloads are read through typed listeners or a parse, never forced with `as any` or `as unknown as`', () => {
    const forced = /\bas\s+any\b|\bas\s+unknown\s+as\b/;
    const casts = src
      .filter((f) => /^src\/(slack|http)\//.test(f))
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .flatMap((line, n) => (forced.test(line) ? [`${f}:${n + 1}: ${line.trim()}`] : [])),
      );
    expect(casts).toEqual([]);
  });
});

describe('docs/architecture.md is kept true', () => {
  const guide = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

  it('names every file in src/ in its layout, so a new file comes with a line saying what it is for', () => {
    const missing = files('src').filter((f) => !guide.includes(f.split('/').at(-1)!));
    expect(missing).toEqual([]);
  });

  it('names no file that is gone from src/', () => {
    const named = [...guide.matchAll(/(?<![\w.-])([a-z][a-z0-9.-]*\.ts)\b/g)].map((m) => m[1]!);
    const present = new Set([...files('src'), ...files('test')].map((f) => f.split('/').at(-1)!));
    expect([...new Set(named.filter((n) => !present.has(n)))]).toEqual([]);
  });

  it('the docs and the README point at nothing outside the repository', () => {
    for (const doc of ['README.md', 'docs/architecture.md']) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      expect({ doc, outside: /\.\.\/shared|\/work\//.test(text) }).toEqual({ doc, outside: false });
    }
  });
});
