import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction, viewSubmission } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { policyFile } from '../support/policies.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { INCIDENT_POLICY: policyFile() } });
  h.slack.addUser('U0EM000001', 'em');
  h.slack.addUser('U0VP000001', 'vp');
  h.slack.addUser('U0VP000002', 'vp2');
  h.slack.usergroups.set('S0VPGROUP1', ['U0VP000001', 'U0VP000002']);
});
afterAll(async () => {
  await h.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
const declare = async (text: string) => idOf(await h.reply((await h.command(`declare ${text}`)).responseUrl));
const row = async (id: string) => (await h.sql.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
const kinds = async (id: string, kind: string) =>
  Number(
    (await h.sql.query('SELECT count(*) n FROM timeline WHERE incident_id = $1 AND kind = $2', [id, kind])).rows[0].n,
  );
const allMessages = () => [...h.slack.channels.values()].flatMap((c) => c.messages.map((m) => ({ ...m, channel: c })));
const reminders = (id: string) => allMessages().filter((m) => m.text.startsWith(`Update due for ${id} `));
const escalations = (id: string) =>
  allMessages().filter((m) => m.text.includes(`Escalation: ${id}`) && !m.channel.is_im);
const dmsTo = (user: string, id: string) =>
  allMessages().filter((m) => m.channel.is_im && m.channel.members.has(user) && m.text.includes(`Escalation: ${id}`));

describe('the update clock', () => {
  it('posts a reminder draft when an update falls due, once per missed update', async () => {
    const id = await declare('P2 Thumbnails blurry');
    await h.reply((await h.command(`update ${id} looking at the resizer`)).responseUrl);
    const first = await waitFor(() => reminders(id)[0], 4000, 'a reminder');
    expect(first.channel.name).toBe('incidents');
    const blocks = JSON.stringify(first.blocks);
    expect(blocks).toContain('<@U0DECLARER> an update');
    expect(blocks).toContain('looking at the resizer');
    expect(blocks).toContain('open_update_modal');
    await waitFor(() => reminders(id).length >= 2, 4000, 'a second reminder');
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
    await sleep(300);
    expect(await kinds(id, 'update_overdue')).toBe(reminders(id).length);
  });

  it('restarts from the full interval when an update is posted', async () => {
    const id = await declare('P2 Slow search');
    const declaredAt = Date.now();
    await sleep(1200);
    await h.reply((await h.command(`update ${id} reindexing`)).responseUrl);
    // When the update was recorded: the reply may come later, once its Slack side is done.
    const recorded = await h.sql.query('SELECT max(at) AS at FROM status_updates WHERE incident_id = $1', [id]);
    const updatedAt = (recorded.rows[0].at as Date).getTime();
    await waitFor(() => reminders(id)[0], 5000, 'the reminder');
    const firstReminderAt =
      Number(reminders(id)[0]!.ts.split('.')[0]) * 1000 + Number(reminders(id)[0]!.ts.split('.')[1]) / 1000;
    expect(firstReminderAt).toBeGreaterThanOrEqual(updatedAt + 1900);
    expect(firstReminderAt - declaredAt).toBeGreaterThan(3000);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('snoozes on the record', async () => {
    const id = await declare('P2 Flaky export');
    const reply = await h.reply((await h.command(`snooze ${id} 30m`)).responseUrl);
    expect(reply).toContain('snoozed');
    const due = (await row(id)).next_update_due as Date;
    expect(due.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(await kinds(id, 'snoozed')).toBe(1);
    await sleep(2500);
    expect(reminders(id)).toHaveLength(0);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('switches cadence straight away when the severity changes', async () => {
    const id = await declare('P3 Typo in footer');
    expect(((await row(id)).next_update_due as Date).getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
    await h.reply((await h.command(`severity ${id} P2`)).responseUrl);
    await waitFor(() => reminders(id)[0], 4000, 'a reminder at the new cadence');
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('the reminder button opens the update form prefilled, and posting from it resets the clock', async () => {
    const id = await declare('P2 Cart badge wrong');
    await h.reply((await h.command(`update ${id} cache key suspected next: purge eta: 10m`)).responseUrl);
    const reminder = await waitFor(() => reminders(id)[0], 4000, 'a reminder');
    const click = await h.interact(
      blockAction({
        actionId: 'open_update_modal',
        value: id,
        user: 'U0RESPOND1',
        channel: reminder.channel.id,
        messageTs: reminder.ts,
        responseUrl: `${h.slack.url}/respond/x1`,
        triggerId: h.slack.issueTrigger(),
        blockId: 'reminder_actions',
      }),
    );
    expect(click.status).toBe(200);
    const opened = await waitFor(() =>
      h.slack.callsTo('views.open').find((c) => JSON.stringify(c.params).includes(id)),
    );
    const view = opened.response.view as Record<string, unknown>;
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"cache key suspected"');
    const before = (await row(id)).next_update_due as Date;
    const values = {
      u_status: {
        u_status: {
          type: 'static_select',
          selected_option: { text: { type: 'plain_text', text: 'identified' }, value: 'identified' },
        },
      },
      u_progress: { u_progress: { type: 'plain_text_input', value: 'purged; badge correct' } },
      u_next: { u_next: { type: 'plain_text_input', value: null } },
      u_eta: { u_eta: { type: 'plain_text_input', value: null } },
    };
    await h.interact(viewSubmission(view, values, 'U0RESPOND1'));
    await waitFor(async () => (await row(id)).status === 'identified');
    expect(((await row(id)).next_update_due as Date).getTime()).toBeGreaterThan(before.getTime());
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });
});

describe('the escalation chain', () => {
  it('mentions each step’s people in the war room and DMs them; the Acknowledge button stops it', async () => {
    const id = await declare('P1 Orders stuck');
    const step1 = await waitFor(() => escalations(id)[0], 4000, 'step 1');
    expect(JSON.stringify(step1.blocks)).toContain('<@U0EM000001>');
    await waitFor(() => dmsTo('U0EM000001', id)[0], 2000, 'the DM');
    const { channel_id: room, card_ts: card } = await row(id);
    const click = await h.interact(
      blockAction({
        actionId: 'ack_incident',
        value: id,
        user: 'U0EM000001',
        channel: room,
        messageTs: card,
        responseUrl: `${h.slack.url}/respond/ack1`,
        triggerId: h.slack.issueTrigger(),
      }),
    );
    expect(click.status).toBe(200);
    await waitFor(async () => (await row(id)).acked_by === 'U0EM000001');
    await waitFor(() =>
      JSON.stringify(h.slack.channels.get(room)!.messages.find((m) => m.ts === card)!.blocks).includes('by em'),
    );
    await sleep(Math.max(0, 4500 - (Date.now() - (await row(id)).declared_at.getTime())));
    expect(escalations(id)).toHaveLength(1);
    expect(dmsTo('U0VP000001', id)).toHaveLength(0);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('/incident ack stops it too, and a second ack says who acknowledged', async () => {
    const id = await declare('P1 Webhooks delayed');
    await h.reply((await h.command(`ack ${id}`, { user: 'U0RESPOND2' })).responseUrl);
    expect(await h.reply((await h.command(`ack ${id}`)).responseUrl)).toContain(
      'already acknowledged by <@U0RESPOND2>',
    );
    await sleep(2600);
    expect(escalations(id)).toHaveLength(0);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('raising the severity starts the higher chain counted from the declaration, expanding user groups', async () => {
    const id = await declare('P2 Emails bouncing');
    await sleep(1500);
    await h.reply((await h.command(`severity ${id} P0`)).responseUrl);
    await waitFor(() => escalations(id).length === 2, 4000, 'both P0 steps');
    await waitFor(
      () => dmsTo('U0VP000001', id).length === 1 && dmsTo('U0VP000002', id).length === 1,
      3000,
      'DMs to the group',
    );
    expect(await kinds(id, 'escalated')).toBe(2);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('lowering the severity to one without a chain stops it', async () => {
    const id = await declare('P1 Reports late');
    await waitFor(() => escalations(id)[0], 4000, 'step 1');
    await h.reply((await h.command(`severity ${id} P2`)).responseUrl);
    await sleep(Math.max(0, 5000 - (Date.now() - (await row(id)).declared_at.getTime())));
    expect(escalations(id)).toHaveLength(1);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });
});

describe('resolve', () => {
  it('stops everything, even prompts already queued', async () => {
    const id = await declare('P0 Everything down');
    await h.reply((await h.command(`resolve ${id} false alarm`)).responseUrl);
    const queued = await waitFor(
      async () =>
        (await h.sql.query('SELECT 1 FROM incidents WHERE id = $1 AND status = $2', [id, 'resolved'])).rowCount,
    );
    expect(queued).toBe(1);
    await sleep(3600);
    expect(reminders(id)).toHaveLength(0);
    expect(escalations(id)).toHaveLength(0);
    expect(await kinds(id, 'update_overdue')).toBe(0);
    expect(await kinds(id, 'escalated')).toBe(0);
  });
});
