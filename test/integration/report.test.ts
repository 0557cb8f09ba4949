import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventCallback, viewSubmission } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
let id: string;
let room: string;
let markdown: string;
const impactStart = new Date(Date.now() - 30 * 60_000);

beforeAll(async () => {
  h = await startHarness();
  await h.command('declare');
  const view = (await waitFor(() => h.slack.callsTo('views.open')[0])).response.view as Record<string, unknown>;
  await h.interact(
    viewSubmission(view, {
      severity: {
        severity: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'P1' }, value: 'P1' } },
      },
      title: { title: { type: 'plain_text_input', value: 'Checkout 502s' } },
      impact: { impact: { type: 'plain_text_input', value: 'About 30% of EU checkouts failed' } },
      services: { services: { type: 'plain_text_input', value: 'checkout-api, payments' } },
    }),
  );
  const row = await waitFor(
    async () =>
      (
        await h.sql.query(
          `SELECT id, channel_id FROM incidents WHERE title = 'Checkout 502s' AND channel_id IS NOT NULL`,
        )
      ).rows[0],
  );
  ({ id, channel_id: room } = row);
  h.slack.channels.get(room)!.members.add('U0RESPOND1').add('U0RESPOND2');
  const run = async (text: string, user = 'U0DECLARER') =>
    h.reply((await h.command(text, { channel: room, user })).responseUrl);
  await run(`started ${impactStart.toISOString().slice(0, 16)}Z`);
  await run('role ic <@U0RESPOND1>');
  await run('ack', 'U0RESPOND1');
  await run('update Found a bad deploy of checkout-api next: roll back eta: 10m', 'U0RESPOND1');
  const ts = h.slack.say(room, 'U0RESPOND2', 'Rolled back to v41 at 14:32');
  await h.deliver(
    eventCallback({
      type: 'reaction_added',
      user: 'U0RESPOND1',
      reaction: 'pushpin',
      item: { type: 'message', channel: room, ts },
      item_user: 'U0RESPOND2',
    }),
  );
  await waitFor(async () => (await h.sql.query(`SELECT 1 FROM timeline WHERE source_ts = $1`, [ts])).rowCount);
  await run('status monitoring error rate back to normal');
  await run('note Support confirms orders are flowing');
  await run('followup Add a canary stage to checkout-api deploys <@U0RESPOND2> 2026-12-15');
  await run('followup Alert on 5xx ratio');
  await run('resolve Rolled back checkout-api to v41');
  expect(await run('postmortem')).toContain('report draft');
  const file = [...h.slack.files.values()].find((f) => f.filename === `${id}-postmortem.md`)!;
  expect(file.completed).toBe(true);
  expect(file.channel).toBe(room);
  markdown = file.content!;
});
afterAll(async () => {
  await h.stop();
});

/** The body of one `## ` section. */
const section = (title: string) => {
  const start = markdown.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 4);
  return markdown.slice(start, end === -1 ? undefined : end);
};

describe('the post-incident report', () => {
  it('follows the runbooks’ template, in order', () => {
    const order = [
      'Summary',
      'Timeline',
      'Status updates',
      'Root cause',
      'Resolution',
      'Impact assessment',
      'Lessons learned',
      'Action items',
      'Prevention measures',
    ].map((t) => markdown.indexOf(`\n## ${t}\n`));
    expect(order.every((n) => n > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(markdown).toContain('### What went well');
    expect(markdown).toContain('### What could be improved');
  });

  it('fills the summary from the record', () => {
    const s = section('Summary');
    expect(s).toContain(`| Incident | ${id} |`);
    expect(s).toContain('| Severity | P1 |');
    expect(s).toMatch(/\| Duration \| 30m( \d+s)? \(/);
    expect(s).toContain('| Services affected | checkout-api, payments |');
    expect(s).toContain('| Users impacted | About 30% of EU checkouts failed |');
    expect(s).toContain('| Acknowledged |');
    expect(s).toContain('by remy');
    expect(s).toContain('- Incident commander: remy');
  });

  it('lists the timeline with names, not raw IDs, and links captured messages', () => {
    const t = section('Timeline');
    expect(t).toContain('remy: Update: Found a bad deploy of checkout-api');
    expect(t).toContain('ola: Rolled back to v41 at 14:32 ([message](https://');
    expect(t).toContain('dana: Support confirms orders are flowing');
    expect(t).not.toMatch(/<@U/);
  });

  it('carries the update history, the resolution and the follow-ups with owners and dates', () => {
    expect(section('Status updates')).toContain(
      '(investigating, remy): Found a bad deploy of checkout-api Next: roll back. ETA: 10m.',
    );
    expect(section('Resolution')).toContain('Rolled back checkout-api to v41');
    expect(section('Resolution')).toContain('_No runbook steps were run through Firebreak._');
    const a = section('Action items');
    expect(a).toContain('| 1 | Add a canary stage to checkout-api deploys | ola | 2026-12-15 |');
    expect(a).toContain('| 2 | Alert on 5xx ratio | unassigned | not set |');
  });

  it('says plainly which sections need people', () => {
    for (const title of ['Root cause', 'Lessons learned', 'Prevention measures'])
      expect(section(title)).toContain('_To be written by the team:');
  });

  it('is kept in Postgres', async () => {
    const row = (await h.sql.query('SELECT markdown, file_id FROM postmortems WHERE incident_id = $1', [id])).rows[0];
    expect(row.markdown).toBe(markdown);
    expect(row.file_id).toMatch(/^F/);
  });

  it('is offered on resolve', () => {
    const resolved = h.slack.channels.get(room)!.messages.find((m) => m.text.startsWith(`INCIDENT RESOLVED ${id}`))!;
    expect(JSON.stringify(resolved.blocks)).toContain(`/incident postmortem ${id}`);
  });
});

describe('follow-ups', () => {
  it('are listed with owner and due date', async () => {
    const list = await h.reply((await h.command('followups', { channel: room })).responseUrl);
    expect(list).toContain('Add a canary stage to checkout-api deploys · <@U0RESPOND2> · due 2026-12-15');
  });
});

describe('metrics', () => {
  it('/incident stats shows MTTA, MTTM, MTTR and updates on time per severity, leaving drills out', async () => {
    const drill = /INC-\d{4}-\d{4}-\d{3}/.exec(
      await h.reply((await h.command('declare P1 --drill Game day')).responseUrl),
    )![0];
    await h.reply((await h.command(`resolve ${drill}`)).responseUrl);
    const stats = await h.reply((await h.command('stats 30d')).responseUrl);
    expect(stats).toContain('*P1* · 1 incident ·');
    expect(stats).toMatch(/MTTR 30m( \d+s)? \/ 30m/);
    expect(stats).toContain('updates on time 100%');
  });

  it('/incident stats takes windows up to a year', async () => {
    const stats = await h.reply((await h.command('stats 365d')).responseUrl);
    expect(stats).toContain('last 365d');
    expect(stats).toContain('*P1* · 1 incident ·');
    expect((await h.command('stats 400d')).body).toContain('up to a year');
  });

  it('GET /metrics serves the same in Prometheus format, with the bot’s own health', async () => {
    const res = await fetch(`${h.bot.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/firebreak_mttr_seconds\{severity="P1",quantile="0.5"\} 18\d\d/);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 1\n/);
    expect(text).toMatch(/firebreak_updates_on_time_ratio\{severity="P1"\} 1\n/);
    expect(text).toMatch(/firebreak_command_duration_seconds_count\{verb="update"\} [1-9]/);
    expect(text).toContain('firebreak_queue_lag_seconds_bucket');
    expect(text).toContain('firebreak_open_incidents');
  });
});
