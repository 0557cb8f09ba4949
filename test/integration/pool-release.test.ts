import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { OutcomeUnknownError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createPool, guarded, transaction, withClient } from '../../src/postgres/pool.js';
import { waitFor } from '../support/harness.js';
import { proxiedDatabase, type TcpProxy } from '../support/tcp-proxy.js';

interface ClientInternals {
  _queryable: boolean;
  _ending: boolean;
  _getActiveQuery(): unknown;
  connection: { stream: { destroyed: boolean } };
}

let db: Awaited<ReturnType<typeof proxiedDatabase>>['db'];
let proxy: TcpProxy;
let pool: pg.Pool;
/** Every client that went back to the pool as fit for reuse while it was not: what the pool must never get. */
const unfit: string[] = [];

beforeAll(async () => {
  let viaProxy: string;
  ({ db, proxy, url: viaProxy } = await proxiedDatabase());
  pool = createPool(viaProxy, createLogger({ level: 'silent' }), { max: 2 });
  pool.on('release', (err: Error | undefined, client: pg.PoolClient) => {
    if (err) return;
    const c = client as unknown as ClientInternals;
    if (c._getActiveQuery()) unfit.push('released with a query still in flight');
    if (!c._queryable || c._ending || c.connection.stream.destroyed) unfit.push('released with its connection gone');
  });
});
afterEach(() => proxy.restore());
afterAll(async () => {
  await pool.end();
  await proxy.stop();
  await db.drop();
});

/** After the fault: every connection the pool hands out answers (two at once: the pool's whole width). */
async function poolAnswers(): Promise<void> {
  const answers = await Promise.all([pool.query('SELECT 1 AS n'), pool.query('SELECT 2 AS n')]);
  expect(answers.map((a) => a.rows[0].n)).toEqual([1, 2]);
}

describe('a connection broken while checked out never goes back to the pool', () => {
  it('cut mid-transaction: the transaction fails and its client is destroyed', async () => {
    await expect(
      transaction(pool, async (c) => {
        await c.query('SELECT 1');
        proxy.cut();
        await c.query('SELECT 2');
      }),
    ).rejects.toThrow();
    proxy.restore();
    await poolAnswers();
    expect(unfit).toEqual([]);
  });

  it('cut while the work swallows the error: the client is still destroyed', async () => {
    await withClient(pool, async (c) => {
      proxy.cut();
      await c.query('SELECT 1').catch(() => undefined);
    });
    proxy.restore();
    await poolAnswers();
    expect(unfit).toEqual([]);
  });

  it.each([
    ['Postgres stops answering during BEGIN: the timed-out client, still waiting, is destroyed', transaction],
    ['a query times out in plain checked-out work: that client is destroyed, not reused stuck', withClient],
  ])(
    '%s',
    async (_name, work) => {
      await withClient(pool, (c) => c.query('SELECT 1'));
      proxy.freeze();
      await expect(work(pool, (c) => c.query('SELECT 1'))).rejects.toThrow(/timeout/i);
      expect(unfit).toEqual([]);
      // Connections left idle in the pool froze too (a hung server looks like that); drop them before the last check.
      proxy.cut();
      await waitFor(() => pool.idleCount === 0, 2_000, 'the frozen idle connections to be dropped');
      proxy.restore();
      await poolAnswers();
    },
    20_000,
  );

  it('a COMMIT whose answer is lost is reported as an unknown outcome, never as "nothing was recorded"', async () => {
    const cut = proxy.cutAtCommit('commit-answer-lost', 'after');
    const failed = await guarded(() => transaction(pool, (c) => c.query(`SELECT 'commit-answer-lost'`))).catch(
      (e: unknown) => e,
    );
    await cut;
    expect(failed).toBeInstanceOf(OutcomeUnknownError);
    expect(unfit).toEqual([]);
  });
});
