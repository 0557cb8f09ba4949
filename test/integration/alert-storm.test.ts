import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { APP_ID, TEAM_ID } from '../../src/playground/slack/workspace.js';
import { amAlert, amGroup, postAlerts } from '../support/alertmanager.js';
import type { SlackRateLimits } from '../support/fake-slack/limits.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

/** Slack's clock runs this much faster in the fake (and the bot is told so), to keep the suite short. */
const SPEEDUP = 4;
const GROUPS = 300;
const TOKEN = 'alertmanager-token-0123456789';

let slack: FakeSlack;
let limits: SlackRateLimits;
let h: Harness;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  limits = slack.limitRates(SPEEDUP);
  h = await startHarness({ slack, slackSpeedup: SPEEDUP, env: { ALERTMANAGER_TOKEN: TOKEN } });
});
afterAll(async () => {
  await h.stop();
  await slack.stop();
});

const storm = (n: number) =>
  amGroup({ alertname: 'NodeNotReady', node: `node-${n}` }, [
    amAlert(
      'NodeNotReady',
      'firing',
      { severity: 'warning', node: `node-${n}` },
      { summary: `node-${n} is not ready` },
    ),
  ]);

describe('an alert storm', () => {
  it(`${GROUPS} firing groups within a minute: no 429, a few cards and one digest, nothing dropped, every group declarable`, async () => {
    const incidents = slack.channelByName('incidents')!;
    const started = Date.now();
    const queue = Array.from({ length: GROUPS }, (_, n) => n);
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift())
          statuses.push((await postAlerts(h.bot.url, storm(n), `Bearer ${TOKEN}`)).status);
      }),
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    const alertMessages = () => incidents.messages.filter((m) => m.text.startsWith('Alert'));
    const cards = () => alertMessages().filter((m) => m.text.startsWith('Alert ('));
    const digests = () => alertMessages().filter((m) => m.text.startsWith('Alert storm'));
    const visible = await waitFor(
      () => {
        const d = digests()[0];
        const total = Number(/of (\d+) alert groups/.exec(d?.text ?? '')?.[1] ?? 0);
        return cards().length + total === GROUPS ? d : undefined;
      },
      30_000,
      'every group in a card or the digest',
    );
    process.stdout.write(
      `alert storm: ${GROUPS} groups visible after ${Date.now() - started} ms; ${cards().length} cards, 1 digest, ` +
        `${slack.callsTo('chat.update').length} edits, ${limits.refused.length} answers of 429\n`,
    );
    expect(limits.refused).toEqual([]);
    expect([...limits.undocumented]).toEqual([]);
    expect(cards().length).toBeGreaterThan(0);
    expect(cards().length).toBeLessThanOrEqual(5);
    expect(digests()).toHaveLength(1);
    const { rows } = await h.sql.query(`SELECT count(*) n FROM alert_groups WHERE placement IS NOT NULL`);
    expect(Number(rows[0].n)).toBe(GROUPS);

    // Any group in the digest can be declared: the picker finds it, and picking it opens the prefilled form.
    const block = (visible.blocks as { type: string; block_id: string }[]).find((b) => b.type === 'actions')!;
    const suggest = await h.interact({
      type: 'block_suggestion',
      user: { id: 'U0RESPOND1', username: 'remy', name: 'remy', team_id: TEAM_ID },
      container: { type: 'message', message_ts: visible.ts, channel_id: incidents.id, is_ephemeral: false },
      api_app_id: APP_ID,
      token: 'deprecated-verification-token',
      action_id: 'alert_declare_pick',
      block_id: block.block_id,
      value: 'node-287',
      team: { id: TEAM_ID, domain: 'firebreak-test' },
      channel: { id: incidents.id, name: 'incidents' },
    });
    const options = (JSON.parse(suggest.body) as { options: { text: { text: string }; value: string }[] }).options;
    expect(options.map((o) => o.text.text)).toEqual(['P3 · NodeNotReady (node=node-287)']);
    const opened = slack.callsTo('views.open').length;
    const pick = blockAction({
      actionId: 'alert_declare_pick',
      value: '',
      user: 'U0RESPOND1',
      channel: incidents.id,
      messageTs: visible.ts,
      responseUrl: `${slack.url}/respond/storm-pick`,
      triggerId: slack.issueTrigger(),
      blockId: block.block_id,
    });
    await h.interact({
      ...pick,
      actions: [
        {
          type: 'external_select',
          action_id: 'alert_declare_pick',
          block_id: block.block_id,
          selected_option: options[0],
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
    const view = await waitFor(() => slack.callsTo('views.open')[opened]?.params.view, 10_000, 'the form');
    expect(JSON.stringify(view)).toContain('"initial_value":"NodeNotReady (node=node-287)"');
  }, 120_000);
});
