/** The SQL of the Postgres diagnostics, chosen by the server's and the extension's versions. */

/** A timestamp as UTC ISO text to the microsecond: exact, so a backend's identity can be compared with it. */
export const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The server's clock, version and connection figures, read in the same transaction as the backends. */
export const SERVER_SQL = `SELECT current_database() AS database,
  ${isoText('now()')} AS now,
  current_setting('server_version_num')::int AS version,
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS total,
  current_setting('max_connections')::int AS max,
  current_setting('superuser_reserved_connections')::int AS reserved`;

/** Since when a backend waits for a lock: `pg_locks.waitstart` exists from PostgreSQL 14. */
function waitingSince(version: number): string {
  if (version < 140000) return 'NULL::text';
  return `CASE WHEN a.wait_event_type = 'Lock' THEN
    (SELECT ${isoText('min(l.waitstart)')} FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) END`;
}

/**
 * Every process connected to the current database. `pg_blocking_pids` is asked only of backends
 * that wait for a lock: it reads the lock manager, which is not free on a busy server.
 */
export function backendsSql(version: number): string {
  return `SELECT a.pid, a.datname AS database, a.usename AS user, coalesce(a.application_name, '') AS application,
  CASE WHEN a.client_addr IS NOT NULL THEN host(a.client_addr) WHEN a.client_port = -1 THEN 'local' END AS client,
  coalesce(a.backend_type, 'client backend') AS backend_type, a.state,
  CASE WHEN a.wait_event IS NOT NULL THEN a.wait_event_type || ':' || a.wait_event END AS wait_event,
  ${isoText('a.backend_start')} AS backend_start, ${isoText('a.xact_start')} AS xact_start,
  ${isoText('a.query_start')} AS query_start, ${isoText('a.state_change')} AS state_change,
  left(coalesce(a.query, ''), 2000) AS query,
  coalesce(r.rolsuper, false) AS superuser,
  a.pid = pg_backend_pid() AS self,
  CASE WHEN a.wait_event_type = 'Lock' THEN pg_blocking_pids(a.pid) ELSE '{}'::int[] END AS blocked_by,
  ${waitingSince(version)} AS waiting_since
FROM pg_stat_activity a LEFT JOIN pg_roles r ON r.oid = a.usesysid
WHERE a.datname = current_database()
ORDER BY a.pid`;
}

/**
 * Signals one backend only if its identity still matches, checked and sent in one statement, and
 * never the connection doing it, Firebreak's own (`$5`, application names) nor a backend of another
 * database. `$1` pid, `$2` backend start, `$3` query start, `$4` state, as the preview listed them.
 */
export function signalSql(signal: 'cancel' | 'terminate'): string {
  const fn = signal === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  return `SELECT ${isoText('a.backend_start')} AS backend_start, ${isoText('a.query_start')} AS query_start, a.state,
  CASE WHEN ${isoText('a.backend_start')} = $2
        AND ${isoText('a.query_start')} IS NOT DISTINCT FROM $3
        AND a.state IS NOT DISTINCT FROM $4
       THEN ${fn}(a.pid) ELSE false END AS signalled
FROM pg_stat_activity a
WHERE a.pid = $1 AND a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND NOT coalesce(a.application_name, '') = ANY ($5::text[])`;
}

/** Where pg_stat_statements is installed in the current database, and its version. */
export const EXTENSION_SQL = `SELECT e.extversion AS version, n.nspname AS schema
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_stat_statements'`;

/** The timing columns of pg_stat_statements: `*_exec_time` from version 1.8 (PostgreSQL 13), `*_time` before. */
export function statementColumns(extversion: string): { mean: string; total: string } {
  const [major = 0, minor = 0] = extversion.split('.').map(Number);
  const exec = major > 1 || (major === 1 && minor >= 8);
  return exec ? { mean: 'mean_exec_time', total: 'total_exec_time' } : { mean: 'mean_time', total: 'total_time' };
}

/** The current database's top statements by `order`, from the extension in `schema` at `extversion`; `$1` the limit. */
export function statementsSql(extversion: string, schema: string, order: 'mean' | 'total'): string {
  const c = statementColumns(extversion);
  const view = `"${schema.replace(/"/g, '""')}".pg_stat_statements`;
  return `SELECT calls::float8 AS calls, ${c.mean} AS mean_ms, ${c.total} AS total_ms, rows::float8 AS rows,
  left(query, 2000) AS query
FROM ${view}
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY ${order === 'mean' ? c.mean : c.total} DESC
LIMIT $1`;
}
