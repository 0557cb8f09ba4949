import type pg from 'pg';

/**
 * Runs `work` in one transaction on a client of its own. The client gets an `'error'` listener
 * while checked out (a connection dropped mid-transaction must not crash the process), and is
 * released as broken when the rollback itself fails.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      lost ??= e;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(lost);
  }
}
