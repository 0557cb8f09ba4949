import { describe, expect, it } from '@jest/globals';
import { renderRun } from '../../src/slack/runbook-blocks.js';
import { messageBlockProblems } from '../support/fake-slack/block-kit.js';
import { memoryRunbooks } from '../support/memory/runbooks.js';

const MINUTE = 60_000;
const KILL_ALL = `id: kill-reports
title: Kill report queries
description: Terminates report queries, unmasked so the approver sees which.
severities: [P1]
steps:
  - action: pg-activity
    database: shop
    maskLiterals: false
    limit: 50
  - action: pg-terminate
    database: shop
    queryPattern: reports
    maxBackends: 100
    maskLiterals: false
`;

describe('database results in Slack', () => {
  it('the approval card lists every backend approved, in as many code blocks as it takes, within Block Kit', async () => {
    const w = memoryRunbooks({ playbooks: { 'kill-reports': KILL_ALL } });
    for (let n = 0; n < 100; n++)
      w.databases.add('shop', {
        forMs: (n + 1) * MINUTE,
        query: `SELECT * FROM reports WHERE region = 'eu-${n}' /* <!channel> \`\`\` ${'x'.repeat(40)} */`,
      });
    const { run } = await w.request('kill-reports');
    const card = renderRun(w.card(run.id).notice);
    expect(messageBlockProblems(card.blocks)).toEqual([]);
    const text = JSON.stringify(card.blocks);
    for (const pid of run.preview!.binding.seen.backends!.map((k) => k.pid)) expect(text).toContain(`${pid}  app`);
    expect(text).toContain('100 backends match');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt;');
    expect(card.blocks.filter((b) => b.type === 'section').length).toBeGreaterThan(2);
    const progress = w.chat.about(run.id).find((m) => m.notice.kind === 'progress')!;
    expect(messageBlockProblems(renderRun(progress.notice).blocks)).toEqual([]);
  });

  it('lines past what a message holds are left to the timeline, and the message says so', async () => {
    const w = memoryRunbooks();
    const notice = {
      kind: 'result' as const,
      ok: true,
      lines: Array.from({ length: 600 }, (_, n) => `row ${n} ${'y'.repeat(80)}`),
      run: (await w.request('db-health')).run,
      title: 'Database health',
      incident: undefined,
    };
    const message = renderRun(notice);
    expect(messageBlockProblems(message.blocks)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toMatch(/_…and \d+ more lines on the incident timeline\._/);
  });
});
