import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

const CLICKERS = ['U0RESPOND1', 'U0RESPOND2', 'U0PEOPLE04', 'U0PEOPLE05'];
const TYPISTS = ['U0DECLARER', 'U0PEOPLE06', 'U0PEOPLE07'];
const ROUNDS = 10;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  for (const id of [...CLICKERS, ...TYPISTS].filter((u) => !h.slack.users.has(u)))
    h.slack.addUser(id, `person${id.slice(-2)}`);
});
afterAll(async () => {
  await h.stop();
});

/** Four people click the card's Acknowledge button while three type `/incident ack`, all at once. */
async function ackRace(round: number) {
  const declared = await h.reply((await h.command(`declare P1 Ack race ${round}`)).responseUrl);
  const id = /INC-\d{4}-\d{4}-\d{3}/.exec(declared)![0];
  const { channel_id: channel, card_ts: card } = await waitFor(
    async () =>
      (await h.sql.query('SELECT channel_id, card_ts FROM incidents WHERE id = $1 AND card_ts IS NOT NULL', [id]))
        .rows[0],
    10_000,
    'the war room and its card',
  );
  const clicks = CLICKERS.map((user, n) => ({ user, url: `/respond/ack-race-${round}-${n}` }));
  const [commands] = await Promise.all([
    Promise.all(TYPISTS.map((user) => h.command('ack', { user, channel }))),
    Promise.all(
      clicks.map((c) =>
        h.interact(
          blockAction({
            actionId: 'ack_incident',
            value: id,
            user: c.user,
            channel,
            messageTs: card,
            responseUrl: `${h.slack.url}${c.url}`,
            triggerId: h.slack.issueTrigger(),
          }),
        ),
      ),
    ),
  ]);
  return { id, commands, clicks };
}

describe('several people acknowledge at once', () => {
  it('ten rounds: one acknowledgement recorded, everyone else told it was already acknowledged, no deadlock', async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      const { id, commands, clicks } = await ackRace(round);
      const commandReplies = await Promise.all(commands.map((c) => h.reply(c.responseUrl, 15_000)));
      const { acked_by: winner } = (await h.sql.query('SELECT acked_by FROM incidents WHERE id = $1', [id])).rows[0];
      expect([...CLICKERS, ...TYPISTS]).toContain(winner);
      // The winning click gets no reply (the card shows it); every losing click is told.
      const losingClicks = clicks.filter((c) => c.user !== winner);
      const clickReplies = await waitFor(
        () => {
          const found = losingClicks.map((c) => h.slack.responses.find((r) => r.url === c.url));
          return found.every(Boolean) ? found.map((r) => String(r!.body.text ?? '')) : undefined;
        },
        15_000,
        `round ${round}: a reply to every losing click`,
      );
      const told = [
        ...TYPISTS.map((user, n) => ({ user, reply: commandReplies[n]! })),
        ...losingClicks.map((c, n) => ({ user: c.user, reply: clickReplies[n]! })),
      ];
      for (const { user, reply } of told) {
        const expected = user === winner ? 'acknowledged; escalation stopped' : `already acknowledged by <@${winner}>`;
        expect({ round, user, says: reply.includes(expected) }).toEqual({ round, user, says: true });
      }
      const entries = await h.sql.query(`SELECT actor FROM timeline WHERE incident_id = $1 AND kind = 'acknowledged'`, [
        id,
      ]);
      expect({ round, recorded: entries.rows.map((r) => r.actor) }).toEqual({ round, recorded: [winner] });
    }
    expect(h.logs.text).not.toMatch(/deadlock|command failed/);
  }, 180_000);
});
