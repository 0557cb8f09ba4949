import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase } from '../support/db.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { botEnv, replyOn, sendCommand, waitFor } from '../support/harness.js';
import { BotProcess } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const ROUNDS = 10;
const DECLARER = 'U0DECLARER';

/** A Slack of each test's own: incident IDs (and so war-room names) restart at 001 in each test's database. */
let slack: FakeSlack;
beforeEach(async () => {
  slack = await new FakeSlack().start();
});
afterEach(async () => {
  await slack.stop();
});

/** A bot on its own database, whose effect leases and sweeps are short so a takeover happens within a second or two. */
const env = (databaseUrl: string, pacing: 'slack' | 'off') =>
  botEnv(slack, databaseUrl, { CLOCK_SWEEP_EVERY: '1s', EFFECT_LEASE: '1s', LOG_LEVEL: 'warn', SLACK_PACING: pacing });

/** Runs `hook` once, on the next successful conversations.create. */
function onNextCreate(hook: () => void): void {
  let fired = false;
  slack.clearHooks();
  slack.onSuccess('conversations.create', () => {
    if (fired) return;
    fired = true;
    hook();
  });
}

/** The incident's war room is recorded and finished (card pinned), and it is the only room with its name. */
async function expectOneRoom(sql: pg.Pool, title: string): Promise<{ id: string; channel: string }> {
  const row = await waitFor(
    async () => {
      const found = (
        await sql.query<{ id: string; channel_id: string; card_ts: string }>(
          'SELECT id, channel_id, card_ts FROM incidents WHERE title = $1 AND card_ts IS NOT NULL',
          [title],
        )
      ).rows[0];
      return found && slack.channels.get(found.channel_id)?.pins.has(found.card_ts) ? found : undefined;
    },
    15_000,
    `the war room of "${title}", its card pinned`,
  );
  const rooms = [...slack.channels.values()].filter((c) => c.name.startsWith(row.id.toLowerCase()));
  expect({ title, rooms: rooms.map((r) => r.id) }).toEqual({ title, rooms: [row.channel_id] });
  const room = rooms[0]!;
  expect(room.pins.has(row.card_ts)).toBe(true);
  expect(room.messages.filter((m) => m.text.startsWith(`${row.id} summary`))).toHaveLength(1);
  expect(room.members.has(DECLARER)).toBe(true);
  const adopted = await sql.query(`SELECT count(*)::int n FROM timeline WHERE incident_id = $1 AND kind = 'war_room'`, [
    row.id,
  ]);
  expect(adopted.rows[0].n).toBe(1);
  return { id: row.id, channel: row.channel_id };
}

/** The declarer was told in a direct message where the room is. */
async function expectDeclarerTold(id: string, channel: string): Promise<void> {
  await waitFor(
    () =>
      [...slack.channels.values()].some(
        (c) =>
          c.is_im &&
          c.members.has(DECLARER) &&
          c.messages.some((m) => m.text.includes(`war room for ${id}`) && m.text.includes(`<#${channel}>`)),
      ),
    10_000,
    `a direct message to the declarer about ${id}`,
  );
}

describe('adopt, do not duplicate: a war room whose creation answer was lost', () => {
  it('SIGKILL the moment conversations.create succeeds, ten times: one room each, the declarer told', async () => {
    const db = await createTestDatabase();
    const bots = env(db.url, 'slack');
    const sql = new pg.Pool({ connectionString: db.url, max: 2 });
    sql.on('error', () => undefined);
    let bot = await new BotProcess(bots).start();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const title = `Killed mid-create ${round}`;
        const doomed = bot;
        onNextCreate(() => doomed.killNow());
        const ack = await sendCommand(bot.url, slack, `declare P1 ${title}`, { user: DECLARER });
        expect(ack.status).toBe(200);
        await waitFor(() => !doomed.alive, 10_000, 'the bot to die');
        bot = await new BotProcess(bots).start();
        const { id, channel } = await expectOneRoom(sql, title);
        await expectDeclarerTold(id, channel);
      }
    } finally {
      slack.clearHooks();
      await bot.stop();
      await sql.end();
      await db.drop();
    }
  }, 150_000);

  it('Postgres cut the moment conversations.create succeeds, ten times: one room each, the declarer told', async () => {
    const db = await createTestDatabase();
    const real = new URL(db.url);
    const proxy = await new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) }).start();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    const sql = new pg.Pool({ connectionString: db.url, max: 2 });
    sql.on('error', () => undefined);
    // One process for all ten rounds: pacing off, or Slack's Tier 2 limits on creating rooms set the pace.
    const bot = await new BotProcess(env(viaProxy.toString(), 'off')).start();
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const title = `Storage lost mid-create ${round}`;
        onNextCreate(() => {
          proxy.cut();
          setTimeout(() => proxy.restore(), 400);
        });
        const ack = await sendCommand(bot.url, slack, `declare P1 ${title}`, { user: DECLARER });
        const reply = await replyOn(slack, ack.responseUrl, 10_000);
        expect(reply).toMatch(/Declared \*INC-\d{4}-\d{4}-\d{3}\*/);
        // Recorded, and the reply says the Slack side is still to come (interrupted, or waiting on Slack's pacing).
        expect(reply).toMatch(
          /Postgres became unreachable after your change was recorded|Slack is pacing our messages/,
        );
        const { id, channel } = await expectOneRoom(sql, title);
        await expectDeclarerTold(id, channel);
        expect(bot.alive).toBe(true);
      }
    } finally {
      slack.clearHooks();
      await bot.stop();
      await sql.end();
      await proxy.stop();
      await db.drop();
    }
  }, 150_000);
});
