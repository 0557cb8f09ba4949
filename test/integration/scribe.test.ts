import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventCallback } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
let id: string;
let room: string;
beforeAll(async () => {
  h = await startHarness();
  const text = await h.reply((await h.command('declare P1 Checkout latency')).responseUrl);
  id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
  room = (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id;
  h.slack.channels.get(room)!.members.add('U0RESPOND1').add('U0RESPOND2');
});
afterAll(async () => {
  await h.stop();
});

const captured = async () =>
  (
    await h.sql.query(
      `SELECT * FROM timeline WHERE incident_id = $1 AND kind = 'captured' AND removed_at IS NULL ORDER BY at, id`,
      [id],
    )
  ).rows;
const entryFor = async (ts: string) =>
  (await h.sql.query(`SELECT * FROM timeline WHERE incident_id = $1 AND source_ts = $2`, [id, ts])).rows[0];
const reaction = (
  type: 'reaction_added' | 'reaction_removed',
  user: string,
  ts: string,
  emoji = 'pushpin',
  channel = room,
) => eventCallback({ type, user, reaction: emoji, item: { type: 'message', channel, ts }, item_user: 'U0RESPOND1' });
const ok = async (p: Promise<{ status: number }>) => expect((await p).status).toBe(200);

describe('capture by reaction', () => {
  it('puts a reacted message on the timeline with its own time, the author’s name and a permalink', async () => {
    const ts = h.slack.say(room, 'U0RESPOND1', 'DB connections at 100% on primary');
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', ts)));
    const row = await waitFor(() => entryFor(ts));
    expect(row.text).toBe('DB connections at 100% on primary');
    expect(row.author_name).toBe('remy');
    expect(row.at.getTime()).toBe(Math.round(Number(ts) * 1000));
    expect(row.permalink).toContain(`/archives/${room}/p${ts.replace('.', '')}`);
  });

  it('keeps the text plain: a mention becomes the name, a channel its name, Slack’s escapes undone', async () => {
    const ts = h.slack.say(room, 'U0RESPOND1', 'ask <@U0RESPOND2> in <#C0OTHER001|ops>: pool &lt;50&gt; &amp; falling');
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', ts)));
    const row = await waitFor(() => entryFor(ts));
    expect(row.text).toBe('ask @ola in #ops: pool <50> & falling');
  });

  it('adds nothing for a repeat reaction, a redelivery or a second person', async () => {
    const ts = h.slack.say(room, 'U0RESPOND2', 'Failing over to replica');
    const first = reaction('reaction_added', 'U0RESPOND1', ts);
    await ok(h.deliver(first));
    await waitFor(() => entryFor(ts));
    await ok(h.deliver(first, 1));
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND1', ts)));
    await ok(h.deliver(reaction('reaction_added', 'U0DECLARER', ts)));
    await waitFor(async () => (await entryFor(ts)).reactors.length === 2);
    expect(
      (await h.sql.query('SELECT count(*)::int n FROM timeline WHERE incident_id = $1 AND source_ts = $2', [id, ts]))
        .rows[0].n,
    ).toBe(1);
  });

  it('removes the entry when the last capture reaction goes', async () => {
    const ts = h.slack.say(room, 'U0RESPOND1', 'False lead, ignore');
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND1', ts)));
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', ts)));
    await waitFor(async () => (await entryFor(ts))?.reactors.length === 2);
    await ok(h.deliver(reaction('reaction_removed', 'U0RESPOND1', ts)));
    await waitFor(async () => (await entryFor(ts)).reactors.length === 1);
    expect((await captured()).some((r) => r.source_ts === ts)).toBe(true);
    await ok(h.deliver(reaction('reaction_removed', 'U0RESPOND2', ts)));
    await waitFor(async () => !(await captured()).some((r) => r.source_ts === ts));
  });

  it('ignores other emoji and channels that are not war rooms', async () => {
    const ts = h.slack.say(room, 'U0RESPOND1', 'just chatting');
    const general = h.slack.channelByName('general')!.id;
    const elsewhere = h.slack.say(general, 'U0RESPOND1', 'unrelated');
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', ts, 'eyes')));
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', elsewhere, 'pushpin', general)));
    await new Promise((r) => setTimeout(r, 300));
    expect(await entryFor(ts)).toBeUndefined();
    expect(
      (await h.sql.query('SELECT count(*)::int n FROM timeline WHERE source_ts = $1', [elsewhere])).rows[0].n,
    ).toBe(0);
  });
});

describe('capture by pin, thread, edit and delete', () => {
  it('records a pin once, even with a reaction on the same message', async () => {
    const ts = h.slack.say(room, 'U0RESPOND2', 'Rollback started at 14:32');
    const pin = eventCallback({
      type: 'pin_added',
      user: 'U0RESPOND1',
      channel_id: room,
      item: {
        type: 'message',
        created: Math.floor(Date.now() / 1000),
        created_by: 'U0RESPOND1',
        channel: room,
        message: { type: 'message', text: 'Rollback started at 14:32', user: 'U0RESPOND2', ts, permalink: '' },
      },
      item_user: 'U0RESPOND2',
      pin_count: 2,
      pinned_info: { channel: room, pinned_by: 'U0RESPOND1', pinned_ts: Math.floor(Date.now() / 1000) },
    });
    await ok(h.deliver(pin));
    await ok(h.deliver(pin, 1));
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND1', ts)));
    await waitFor(async () => (await entryFor(ts))?.reactors.length === 1);
    const row = await entryFor(ts);
    expect(row.pinned).toBe(true);
    expect((await h.sql.query('SELECT count(*)::int n FROM timeline WHERE source_ts = $1', [ts])).rows[0].n).toBe(1);
  });

  it('links a thread reply to its thread', async () => {
    const parent = h.slack.say(room, 'U0RESPOND1', 'Investigating the pool');
    const reply = h.slack.say(room, 'U0RESPOND2', 'Pool max is 20, raising to 50', parent);
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND1', reply)));
    const row = await waitFor(() => entryFor(reply));
    expect(row.thread_ts).toBe(parent);
    expect(row.text).toBe('Pool max is 20, raising to 50');
  });

  it('follows an edit and marks a deletion, keeping both on record', async () => {
    const ts = h.slack.say(room, 'U0RESPOND1', 'Error rate 40%');
    await ok(h.deliver(reaction('reaction_added', 'U0RESPOND2', ts)));
    await waitFor(() => entryFor(ts));
    const editTs = `${(Date.now() / 1000).toFixed(6)}`;
    await ok(
      h.deliver(
        eventCallback({
          type: 'message',
          subtype: 'message_changed',
          channel: room,
          hidden: true,
          message: {
            type: 'message',
            user: 'U0RESPOND1',
            text: 'Error rate 4%',
            ts,
            edited: { user: 'U0RESPOND1', ts: editTs },
          },
          previous_message: { type: 'message', user: 'U0RESPOND1', text: 'Error rate 40%', ts },
          event_ts: editTs,
          ts: editTs,
          channel_type: 'channel',
        }),
      ),
    );
    await waitFor(async () => (await entryFor(ts)).text === 'Error rate 4%');
    expect((await entryFor(ts)).data.edits[0].previous).toBe('Error rate 40%');
    await ok(
      h.deliver(
        eventCallback({
          type: 'message',
          subtype: 'message_deleted',
          channel: room,
          hidden: true,
          deleted_ts: ts,
          previous_message: { type: 'message', user: 'U0RESPOND1', text: 'Error rate 4%', ts },
          event_ts: editTs,
          ts: editTs,
          channel_type: 'channel',
        }),
      ),
    );
    await waitFor(async () => (await entryFor(ts)).deleted_at !== null);
  });
});

describe('the scribe and notes', () => {
  it('captures every war-room message of the scribe, and nobody else’s', async () => {
    await h.reply((await h.command('role scribe <@U0RESPOND2>', { channel: room })).responseUrl);
    const scribeTs = h.slack.say(room, 'U0RESPOND2', '14:40 decided to fail over');
    const otherTs = h.slack.say(room, 'U0RESPOND1', 'ok');
    for (const [ts, user, text] of [
      [scribeTs, 'U0RESPOND2', '14:40 decided to fail over'],
      [otherTs, 'U0RESPOND1', 'ok'],
    ] as const) {
      await ok(
        h.deliver(
          eventCallback({
            client_msg_id: `m${ts}`,
            type: 'message',
            team: 'T0FIREBRK1',
            channel: room,
            user,
            text,
            ts,
            event_ts: ts,
            channel_type: 'channel',
          }),
        ),
      );
    }
    const row = await waitFor(() => entryFor(scribeTs));
    expect(row.by_scribe).toBe(true);
    expect(row.author_name).toBe('ola');
    expect(await entryFor(otherTs)).toBeUndefined();
  });

  it('/incident note records a line in the author’s name', async () => {
    await h.reply((await h.command('note Customer support reports EU users affected', { channel: room })).responseUrl);
    const row = (await h.sql.query(`SELECT * FROM timeline WHERE incident_id = $1 AND kind = 'note'`, [id])).rows[0];
    expect(row).toMatchObject({
      text: 'Customer support reports EU users affected',
      author_name: 'dana',
      actor: 'U0DECLARER',
    });
  });

  it('bot actions carry the actor’s display name', async () => {
    const row = (
      await h.sql.query(`SELECT author_name FROM timeline WHERE incident_id = $1 AND kind = 'declared'`, [id])
    ).rows[0];
    expect(row.author_name).toBe('dana');
  });
});

describe('/incident timeline', () => {
  it('pages the timeline in the viewer’s local time with UTC beside it', async () => {
    const page = await h.reply((await h.command('timeline', { channel: room })).responseUrl);
    expect(page).toContain(`Timeline · ${id}`);
    const row = (await h.sql.query(`SELECT at FROM timeline WHERE incident_id = $1 ORDER BY at, id LIMIT 1`, [id]))
      .rows[0];
    const utc = (row.at as Date).toISOString().slice(11, 16);
    const local = new Date((row.at as Date).getTime() + 3600_000).toISOString().slice(11, 16);
    expect(page).toContain(`\`${local}\` (${utc} UTC)`);
    expect(page).toContain('UTC+01:00');
    expect(page).toMatch(/Page 1 of \d/);
  });
});
