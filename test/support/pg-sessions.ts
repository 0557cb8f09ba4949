import pg from 'pg';
import { ADMIN_URL } from './db.js';
import { waitFor } from './harness.js';

/** What became of a statement a workload started: it finished, or the error it ended with. */
export type Outcome = { readonly ok: true } | { readonly error: string };

/**
 * A session of a test workload, as an application holds one: it can run a statement without
 * waiting for it (a `pg_sleep`, a blocked UPDATE), and outlive its statements being cancelled.
 */
export class Workload {
  readonly client: pg.Client;
  pid = 0;
  /** Set when the server ended the session (terminated). */
  lost: string | undefined;

  constructor(url: string, application: string) {
    this.client = new pg.Client({ connectionString: url, application_name: application });
    this.client.on('error', (err) => {
      this.lost = err.message;
    });
  }

  async open(): Promise<this> {
    await this.client.connect();
    this.pid = (await this.client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    return this;
  }

  /** Starts `sql` and returns at once; the promise says how the statement ended. */
  start(sql: string): Promise<Outcome> {
    return this.client.query(sql).then(
      () => ({ ok: true }) as const,
      (err: Error) => ({ error: err.message }),
    );
  }

  /** Runs `sql` to its end. */
  run(sql: string): Promise<pg.QueryResult> {
    return this.client.query(sql);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** A statement that ignores pg_cancel_backend: it catches query_canceled and sleeps again. */
export const STUBBORN_SQL = `DO $$ BEGIN LOOP BEGIN PERFORM pg_sleep(30); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$`;

/** The superuser's view of one backend, for the test's own checks. */
export async function activity(pid: number): Promise<Record<string, unknown> | undefined> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return (
      await c.query(
        `SELECT pid, state, wait_event_type, query_start, backend_start, query FROM pg_stat_activity WHERE pid = $1`,
        [pid],
      )
    ).rows[0];
  } finally {
    await c.end();
  }
}

/** Waits until the backend runs a statement, or waits for a lock when `lock` is set. */
export function busy(pid: number, lock = false): Promise<unknown> {
  return waitFor(
    async () => {
      const a = await activity(pid);
      return a?.state === 'active' && (!lock || a.wait_event_type === 'Lock');
    },
    5000,
    `pid ${pid} to be ${lock ? 'waiting for a lock' : 'active'}`,
  );
}
