import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { FakeSlack } from '../support/fake-slack/server.js';
import { botEnv, replyOn, sendCommand, waitFor } from '../support/harness.js';
import { BotProcess } from '../support/processes.js';
import { postSigned } from '../support/signed.js';
import { proxiedDatabase, type TcpProxy } from '../support/tcp-proxy.js';

const ROUNDS = 10;
const STORAGE_DOWN = 'Storage is unavailable right now';
const OUTCOME_UNKNOWN = 'cannot tell whether it was recorded';
/** What each kind of command answers when it was recorded. */
const DONE = ['Declared', 'Update posted', 'Follow-up recorded', 'Noted on the timeline'];

let slack: FakeSlack;
let db: Awaited<ReturnType<typeof proxiedDatabase>>['db'];
let proxy: TcpProxy;
let bot: BotProcess;
let sql: pg.Pool;

beforeAll(async () => {
  slack = await new FakeSlack().start();
  let viaProxy: string;
  ({ db, proxy, url: viaProxy } = await proxiedDatabase());
  bot = await new BotProcess(
    botEnv(slack, viaProxy, { CLOCK_SWEEP_EVERY: '1s', EFFECT_LEASE: '2s', LOG_LEVEL: 'warn' }),
  ).start();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  sql.on('error', () => undefined);
});
afterAll(async () => {
  await bot.stop();
  await sql.end();
  await proxy.stop();
  await slack.stop();
  await db.drop();
});

/** What a reply told the person: that the command was done, that it failed (nothing recorded), or neither. */
function toldOf(reply: string): 'done' | 'failed' | 'unknown' {
  if (DONE.some((d) => reply.includes(d))) return 'done';
  if (reply.includes(STORAGE_DOWN)) return 'failed';
  return 'unknown';
}

const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const command = (text: string, channel?: string) => sendCommand(bot.url, slack, text, channel ? { channel } : {});

/** A burst of 20 commands, of the kinds people type during an incident. */
function burstTexts(round: number): string[] {
  return Array.from({ length: 20 }, (_, n) => {
    const tag = `r${round}-${n}`;
    if (n % 5 === 0) return `declare P3 Cut ${tag}`;
    if (n % 5 === 1) return `update progress ${tag}`;
    if (n % 5 === 2) return `followup check ${tag}`;
    return `note ${tag} seen in the logs`;
  });
}

describe('Postgres connections cut mid-burst, ten times', () => {
  it('the process stays up, and every acknowledged command is recorded, refused or reported unknown, truthfully', async () => {
    const room = await replyOn(slack, (await command('declare P1 Database flapping')).responseUrl, 10_000);
    const channel = (await sql.query('SELECT channel_id FROM incidents WHERE id = $1', [idOf(room)])).rows[0]
      .channel_id;
    let refused = 0;
    let recorded = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      // The burst's first half goes out and is under way (two of its commands recorded) when the cut lands; the
      // second half arrives during the cut. Waiting on those conditions, not on timings, keeps this true under load.
      const texts = burstTexts(round);
      const firstHalf = texts.slice(0, 10).map((text) => command(text, channel));
      await waitFor(
        async () =>
          Number((await sql.query(`SELECT count(*) n FROM timeline WHERE text LIKE $1`, [`%r${round}-%`])).rows[0].n) >=
          2,
        10_000,
        `round ${round} under way`,
      );
      proxy.cut();
      const acks = [
        ...(await Promise.all(firstHalf)),
        ...(await Promise.all(texts.slice(10).map((t) => command(t, channel)))),
      ];
      await sleep(300);
      proxy.restore();
      expect(acks.map((a) => a.status)).toEqual(acks.map(() => 200));
      const replies = await Promise.all(acks.map((a) => replyOn(slack, a.responseUrl, 15_000)));
      const keys = new Set(
        (
          await sql.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [
            acks.map((a) => `cmd:${a.triggerId}`),
          ])
        ).rows.map((r) => r.key),
      );
      acks.forEach((a, n) => {
        const saved = keys.has(`cmd:${a.triggerId}`);
        const reply = replies[n]!;
        const told = toldOf(reply);
        // Never "failed" about what was saved, nor "done" about what was not; "unknown" only when it says so.
        const truthful = saved ? told !== 'failed' : told !== 'done';
        const answered = told !== 'unknown' || reply.includes(OUTCOME_UNKNOWN);
        expect({ round, n, reply, truthful, answered }).toEqual({ round, n, reply, truthful: true, answered: true });
        if (saved) recorded++;
        else refused++;
      });
      expect(replies.filter((r) => r.includes('Something went wrong'))).toEqual([]);
      expect(bot.alive).toBe(true);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    }
    // The cuts did land mid-burst: some commands got through and some were refused.
    expect(recorded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    // No broken connection went back to the pool (inside an aborted transaction, or cut): right after the last
    // restore, with nothing that would first use up a bad connection (no readiness polling), a burst wider than the
    // pool (10) is answered in full.
    const after = await Promise.all(
      Array.from({ length: 12 }, async (_, n) =>
        replyOn(slack, (await command(`note after ${n}`, channel)).responseUrl, 15_000),
      ),
    );
    expect(after.filter((r) => !r.includes('Noted on the timeline'))).toEqual([]);
    expect(bot.output.join('')).not.toMatch(
      /Unhandled 'error' event|uncaught exception|current transaction is aborted/i,
    );
  }, 120_000);

  it('a signed payload=null does not take the process down', async () => {
    const res = await postSigned(`${bot.url}/slack/events`, 'payload=null', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    await sleep(200);
    expect(bot.alive).toBe(true);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
