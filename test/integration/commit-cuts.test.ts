import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type Harness, startHarness } from '../support/harness.js';
import { proxiedDatabase, type TcpProxy } from '../support/tcp-proxy.js';

const TOLD_FAILED = 'nothing was recorded';
const TOLD_UNKNOWN = 'cannot tell whether it was recorded';

let h: Harness;
let db: Awaited<ReturnType<typeof proxiedDatabase>>['db'];
let proxy: TcpProxy;
let direct: pg.Pool;
let room: string;
let n = 0;

beforeAll(async () => {
  let viaProxy: string;
  ({ db, proxy, url: viaProxy } = await proxiedDatabase());
  h = await startHarness({ databaseUrl: viaProxy });
  direct = new pg.Pool({ connectionString: db.url, max: 2 });
  const text = await h.reply((await h.command('declare P1 Primary database failing over')).responseUrl, 10_000);
  const id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
  room = (await direct.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id;
});
afterAll(async () => {
  await h.stop();
  await direct.end();
  await proxy.stop();
  await db.drop();
});

/**
 * Sends `/incident <verb> <marker>…` and cuts its transaction's connection at COMMIT (`before` or
 * `after` Postgres gets it); with `outageMs`, all of Postgres stays away that long from the cut.
 */
async function cutAtCommit(verb: string, when: 'before' | 'after', outageMs = 0) {
  const marker = `commit-cut-${++n}-${when}`;
  const cut = proxy.cutAtCommit(marker, when).then(async () => {
    if (!outageMs) return;
    proxy.cut();
    await new Promise((r) => setTimeout(r, outageMs));
    proxy.restore();
  });
  const ack = await h.command(`${verb} ${marker} on the replica`, { channel: room });
  expect(ack.status).toBe(200);
  const reply = await h.reply(ack.responseUrl, 15_000);
  await cut;
  const saved = Number(
    (await direct.query('SELECT count(*) n FROM timeline WHERE text LIKE $1', [`%${marker}%`])).rows[0].n,
  );
  return { reply, saved, marker };
}

/** The promise of the issue: never told "failed" about a change that was saved, nor told "done" about one that was not. */
function expectTruthful(outcome: { reply: string; saved: number }, done: string) {
  const toldFailed = outcome.reply.includes(TOLD_FAILED);
  const toldDone = outcome.reply.includes(done);
  expect({ reply: outcome.reply, lie: (outcome.saved > 0 && toldFailed) || (outcome.saved === 0 && toldDone) }).toEqual(
    {
      reply: outcome.reply,
      lie: false,
    },
  );
  expect(outcome.saved).toBeLessThanOrEqual(1);
}

describe('Postgres cut exactly at COMMIT', () => {
  it('COMMIT reached Postgres and the answer was lost: the bot reads the outcome back and says it was recorded', async () => {
    const outcome = await cutAtCommit('note', 'after');
    expectTruthful(outcome, 'Noted on the timeline');
    expect(outcome.saved).toBe(1);
    expect(outcome.reply).toContain('Noted on the timeline');
  }, 30_000);

  it('COMMIT never reached Postgres: the person is told nothing was recorded, which is true', async () => {
    const outcome = await cutAtCommit('note', 'before');
    expectTruthful(outcome, 'Noted on the timeline');
    expect(outcome.saved).toBe(0);
    expect(outcome.reply).toContain(TOLD_FAILED);
  }, 30_000);

  it('Postgres stays away after the lost answer: the person is told the outcome is unknown and where to check', async () => {
    const outcome = await cutAtCommit('note', 'after', 4_000);
    expectTruthful(outcome, 'Noted on the timeline');
    expect(outcome.saved).toBe(1);
    expect(outcome.reply).toContain(TOLD_UNKNOWN);
    expect(outcome.reply).toContain('/incident timeline');
  }, 30_000);

  it('a follow-up is stored with its timeline entry in one transaction: both or neither, and told so', async () => {
    const after = await cutAtCommit('followup', 'after');
    expectTruthful(after, 'Follow-up recorded');
    expect(after.reply).toContain('Follow-up recorded');
    const before = await cutAtCommit('followup', 'before');
    expectTruthful(before, 'Follow-up recorded');
    const rows = async (marker: string) =>
      Number((await direct.query('SELECT count(*) n FROM followups WHERE text LIKE $1', [`%${marker}%`])).rows[0].n);
    expect([await rows(after.marker), await rows(before.marker)]).toEqual([after.saved, before.saved]);
  }, 30_000);

  it('a declaration whose COMMIT answer was lost is confirmed, not declared twice or reported failed', async () => {
    const outcome = await cutAtCommit('declare P3', 'after');
    expectTruthful(outcome, 'Declared');
    const incidents = await direct.query('SELECT id FROM incidents WHERE title LIKE $1', [`%${outcome.marker}%`]);
    expect(incidents.rowCount).toBe(1);
    expect(outcome.reply).toContain(incidents.rows[0].id);
  }, 30_000);

  it('works normally again once the cuts are over', async () => {
    const ack = await h.command('note all clear after the cuts', { channel: room });
    expect(await h.reply(ack.responseUrl)).toContain('Noted on the timeline');
  });
});
