/** The database roles of the runbook domain on `pg`: a small lazy pool per logical name, every read in a read-only transaction. */
import pg from 'pg';
import type { Logger } from '../log.js';
import { DIAG_APPLICATION, FIREBREAK_APPLICATIONS } from '../runbook/backend-filter.js';
import type { BackendKey, BackendView, SignalResult, SlowQueries } from '../runbook/database-views.js';
import type { BackendSignals, DatabaseDiagnostics } from '../runbook/diag-ports.js';
import { untrusted } from '../runbook/text.js';
import { databaseFailure, notConfigured } from './errors.js';
import { backendsSql, EXTENSION_SQL, SERVER_SQL, signalSql, statementsSql } from './pg-sql.js';

/** How the diagnostics reach their databases. */
export interface PgDiagnosticsOptions {
  /** Connect and statement timeout: a database that does not answer is reported within it. */
  readonly timeoutMs: number;
  readonly log: Logger;
}

type Row = Record<string, unknown>;
const str = (v: unknown) => (v == null ? null : String(v));

function backendOf(r: Row): BackendView {
  return {
    pid: Number(r.pid),
    database: str(r.database),
    user: str(r.user),
    application: String(r.application ?? ''),
    client: str(r.client),
    backendType: String(r.backend_type),
    state: str(r.state),
    waitEvent: str(r.wait_event),
    backendStart: String(r.backend_start),
    xactStart: str(r.xact_start),
    queryStart: str(r.query_start),
    stateChange: str(r.state_change),
    query: String(r.query ?? ''),
    superuser: r.superuser === true,
    self: r.self === true,
    blockedBy: ((r.blocked_by as number[] | null) ?? []).map(Number),
    waitingSince: str(r.waiting_since),
  };
}

/**
 * `DatabaseDiagnostics` and `BackendSignals` for the databases in `urls` (logical name → URL).
 * Pools are made on first use, hold at most two connections named `firebreak-diag`, and close idle
 * ones. Every call runs in a `READ ONLY` transaction with `statement_timeout` and `lock_timeout`
 * set, so a diagnostic can neither write nor queue behind a lock for long.
 */
export function createPgDiagnostics(urls: ReadonlyMap<string, string>, options: PgDiagnosticsOptions) {
  const { timeoutMs, log } = options;
  const pools = new Map<string, pg.Pool>();

  function poolOf(name: string): pg.Pool {
    const url = urls.get(name);
    if (!url) throw notConfigured('database', name);
    let pool = pools.get(name);
    if (!pool) {
      pool = new pg.Pool({
        connectionString: url,
        max: 2,
        idleTimeoutMillis: 10_000,
        connectionTimeoutMillis: timeoutMs,
        // A server that stops answering mid-query: the client gives up shortly after the server would have.
        query_timeout: timeoutMs + 1_000,
        application_name: DIAG_APPLICATION,
      });
      pool.on('error', (err) =>
        log.warn(
          { err: { message: err.message }, database: name },
          'diagnostics connection lost; reconnects on next use',
        ),
      );
      pools.set(name, pool);
    }
    return pool;
  }

  /** Runs `work` in a read-only transaction with short timeouts; any failure discards the connection. */
  async function readOnly<T>(name: string, what: string, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient | undefined;
    const onError = (err: Error) =>
      log.warn({ err: { message: err.message }, database: name }, 'diagnostics connection error');
    let broken = false;
    try {
      client = await poolOf(name).connect();
      client.on('error', onError);
      await client.query(
        `BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL lock_timeout = ${Math.min(timeoutMs, 1000)}`,
      );
      const out = await work(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      broken = true;
      throw databaseFailure(err, name, what, timeoutMs);
    } finally {
      client?.removeListener('error', onError);
      client?.release(broken);
    }
  }

  async function slowQueries(name: string, limit: number): Promise<SlowQueries> {
    return readOnly(name, 'reading pg_stat_statements', async (c) => {
      const ext = (await c.query(EXTENSION_SQL)).rows[0] as { version: string; schema: string } | undefined;
      const db = (await c.query('SELECT current_database() AS name')).rows[0].name as string;
      if (!ext)
        return {
          available: false,
          reason: `pg_stat_statements is not installed in database ${db}, so there are no statement timings. To enable it: add pg_stat_statements to shared_preload_libraries in postgresql.conf (this needs a restart), then run CREATE EXTENSION pg_stat_statements; in database ${db}.`,
        };
      const read = (order: 'mean' | 'total') =>
        c.query(statementsSql(ext.version, ext.schema, order), [limit]).then((r) =>
          r.rows.map((s: Row) => ({
            calls: Number(s.calls),
            meanMs: Number(s.mean_ms),
            totalMs: Number(s.total_ms),
            rows: Number(s.rows),
            query: String(s.query ?? ''),
          })),
        );
      try {
        const byMean = await read('mean');
        const byTotal = await read('total');
        return { available: true, source: `pg_stat_statements ${ext.version}`, byMean, byTotal };
      } catch (err) {
        if ((err as { code?: string }).code !== '55000') throw err;
        return {
          available: false,
          reason: `pg_stat_statements is installed in database ${db} but not loaded: add pg_stat_statements to shared_preload_libraries in postgresql.conf and restart PostgreSQL.`,
        };
      }
    });
  }

  const diagnostics: DatabaseDiagnostics & BackendSignals = {
    snapshot: (name) =>
      readOnly(name, 'reading pg_stat_activity', async (c) => {
        const server = (await c.query(SERVER_SQL)).rows[0] as Row;
        const backends = (await c.query(backendsSql(Number(server.version)))).rows.map(backendOf);
        return {
          database: String(server.database),
          now: String(server.now),
          serverVersion: Number(server.version),
          connections: { total: Number(server.total), max: Number(server.max), reserved: Number(server.reserved) },
          backends,
        };
      }),
    slowQueries,
    async signal(name, keys, signal) {
      const out: SignalResult[] = [];
      // One transaction per backend: a refusal (a superuser's session) ends only its own statement.
      for (const key of keys) out.push(await signalOne(name, key, signal));
      return out;
    },
  };

  function signalOne(name: string, key: BackendKey, signal: 'cancel' | 'terminate'): Promise<SignalResult> {
    return readOnly(name, `sending ${signal} to pid ${key.pid}`, async (c) => {
      let r: Row | undefined;
      try {
        const identity = [key.pid, key.backendStart, key.queryStart, key.state, FIREBREAK_APPLICATIONS];
        r = (await c.query(signalSql(signal), identity)).rows[0];
      } catch (err) {
        // Not allowed to signal it (a superuser's session): that backend is skipped, the others go on.
        if ((err as { code?: string }).code !== '42501') throw err;
        return { key, found: null, signalled: false, refused: untrusted((err as Error).message, 200) };
      }
      if (!r) return { key, found: null, signalled: false };
      const found = { backendStart: String(r.backend_start), queryStart: str(r.query_start), state: str(r.state) };
      return { key, found, signalled: r.signalled === true };
    });
  }

  return {
    ...diagnostics,
    /** Closes every pool made so far. */
    close: () => Promise.all([...pools.values()].map((p) => p.end())).then(() => undefined),
  };
}
