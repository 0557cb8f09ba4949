import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness } from '../support/harness.js';

const PEOPLE = ['U0DECLARER', 'U0RESPOND1', 'U0RESPOND2', 'U0PEOPLE04', 'U0PEOPLE05', 'U0PEOPLE06', 'U0PEOPLE07'];
const ROUNDS = 10;
const COMMANDS = 60;

let h: Harness;
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

beforeAll(async () => {
  h = await startHarness();
  for (const id of PEOPLE.slice(3)) h.slack.addUser(id, `person${id.slice(-2)}`);
});
afterAll(async () => {
  await h.stop();
});

async function declareRoom(title: string): Promise<{ id: string; channel: string }> {
  const id = idOf(await h.reply((await h.command(`declare P1 ${title}`)).responseUrl));
  const { rows } = await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id]);
  return { id, channel: rows[0].channel_id };
}

/** The n-th command of a round: notes, updates, follow-ups and acknowledgements, each with a marker of its own. */
function commandFor(round: number, n: number): { text: string; marker?: string; answer: string } {
  const marker = `[r${round}-c${n}]`;
  switch (n % 6) {
    case 0:
    case 1:
    case 2:
      return { text: `note ${marker} saw 502s from the load balancer`, marker, answer: 'Noted on the timeline' };
    case 3:
      return { text: `update ${marker} rolled back the canary`, marker, answer: 'Update posted' };
    case 4:
      return { text: `followup ${marker} add an alert on pool saturation`, marker, answer: 'Follow-up recorded' };
    default:
      return { text: 'ack', answer: 'acknowledged' };
  }
}

/** Sends 60 commands at once from seven people, spread over `rooms`; checks each was answered and recorded once. */
async function burst(round: number, rooms: readonly { id: string; channel: string }[]): Promise<void> {
  const sent = await Promise.all(
    Array.from({ length: COMMANDS }, async (_, n) => {
      const cmd = commandFor(round, n);
      const room = rooms[n % rooms.length]!;
      const ack = await h.command(cmd.text, { user: PEOPLE[n % PEOPLE.length]!, channel: room.channel });
      return { ...cmd, room, ack };
    }),
  );
  expect(sent.map((s) => s.ack.status)).toEqual(sent.map(() => 200));
  const replies = await Promise.all(sent.map((s) => h.reply(s.ack.responseUrl, 20_000)));
  const wrong = replies.filter((r, n) => !r.includes(sent[n]!.answer));
  expect(wrong).toEqual([]);
  const { rows } = await h.sql.query<{ incident_id: string; text: string }>(
    `SELECT incident_id, text FROM timeline WHERE text LIKE $1`,
    [`%[r${round}-c%`],
  );
  for (const s of sent.filter((c) => c.marker)) {
    const entries = rows.filter((r) => r.text.includes(s.marker!));
    expect({ marker: s.marker, entries: entries.length, incident: entries[0]?.incident_id }).toEqual({
      marker: s.marker,
      entries: 1,
      incident: s.room.id,
    });
  }
  const updates = await h.sql.query(`SELECT count(*)::int n FROM status_updates WHERE progress LIKE $1`, [
    `[r${round}-c%`,
  ]);
  expect(updates.rows[0].n).toBe(sent.filter((s) => s.text.startsWith('update')).length);
  const followups = await h.sql.query(`SELECT count(*)::int n FROM followups WHERE text LIKE $1`, [`[r${round}-c%`]);
  expect(followups.rows[0].n).toBe(sent.filter((s) => s.text.startsWith('followup')).length);
}

describe('60 commands at once from seven people', () => {
  it('in one war room, ten rounds: every one recorded exactly once and answered', async () => {
    const room = await declareRoom('Checkout errors spike');
    for (let round = 1; round <= ROUNDS; round++) await burst(round, [room]);
    const acks = await h.sql.query(
      `SELECT count(*)::int n FROM timeline WHERE incident_id = $1 AND kind = 'acknowledged'`,
      [room.id],
    );
    expect(acks.rows[0].n).toBe(1);
    expect(h.logs.text).not.toContain('deadlock');
  }, 120_000);

  it('across six war rooms at once, ten rounds: every one recorded exactly once and answered', async () => {
    const rooms = await Promise.all(['A', 'B', 'C', 'D', 'E', 'F'].map((x) => declareRoom(`Region ${x} degraded`)));
    for (let round = 101; round < 101 + ROUNDS; round++) await burst(round, rooms);
    expect(h.logs.text).not.toContain('deadlock');
  }, 120_000);
});
