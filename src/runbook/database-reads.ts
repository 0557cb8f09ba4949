/** Read-only database steps: connections, long transactions, lock waits and slow statements, as plain tables. */
import { parseDuration } from '../incident/duration.js';
import { ageOf } from './backend-filter.js';
import type { BackendView, DatabaseSnapshot, StatementView } from './database-views.js';
import type { DatabaseDiagnostics } from './diag-ports.js';
import type { Step } from './playbook-schema.js';
import { type QueryShape, showQuery } from './query-text.js';
import { age, between, counts, millis, table } from './table.js';

type DatabaseRead = Extract<Step, { action: 'pg-activity' | 'pg-locks' | 'pg-slow-queries' }>;

const who = (b: BackendView) => [b.pid, b.user, b.application || '(none)'];
/** The backends a responder is shown: not the connection that read them. */
const others = (s: DatabaseSnapshot) => s.backends.filter((b) => !b.self);

/** Lines under a heading, or the heading and `(none)`. */
const section = (heading: string, rows: string[]) => [heading, ...(rows.length ? rows : ['  (none)'])];
/** Table lines, indented under their heading. */
const indented = (lines: string[]) => lines.map((l) => `  ${l}`);

function activity(s: DatabaseSnapshot, step: Extract<DatabaseRead, { action: 'pg-activity' }>): string[] {
  const clients = others(s).filter((b) => b.backendType === 'client backend');
  const rest = others(s).filter((b) => b.backendType !== 'client backend');
  const longerThan = parseDuration(step.longerThan) ?? 60_000;
  const open = clients
    .filter((b) => b.xactStart)
    .sort((a, b) => between(b.xactStart, s.now) - between(a.xactStart, s.now))
    .slice(0, 5);
  const long = clients
    .filter((b) => b.state === 'active' && ageOf(b, s.now) >= longerThan)
    .sort((a, b) => ageOf(b, s.now) - ageOf(a, s.now));
  const c = s.connections;
  return [
    `connections: ${c.total} of ${c.max} on the server (max_connections, ${c.reserved} reserved for superusers); ${clients.length} to database ${s.database}`,
    `by state: ${counts(clients.map((b) => b.state ?? 'unknown'))}`,
    `by application: ${counts(clients.map((b) => b.application || '(none)'))}`,
    ...(rest.length ? [`other processes: ${counts(rest.map((b) => b.backendType))}`] : []),
    ...section(
      'oldest open transactions:',
      open.length
        ? indented(
            table(
              ['pid', 'user', 'application', 'state', 'open for', 'query'],
              open.map((b) => [...who(b), b.state, age(between(b.xactStart, s.now)), showQuery(b.query, step)]),
            ),
          )
        : [],
    ),
    ...section(
      `active for ${age(longerThan)} or longer: ${long.length}${long.length > step.limit ? ` (the ${step.limit} longest shown)` : ''}`,
      long.length
        ? indented(
            table(
              ['pid', 'user', 'application', 'client', 'waiting on', 'running for', 'query'],
              long
                .slice(0, step.limit)
                .map((b) => [...who(b), b.client, b.waitEvent, age(ageOf(b, s.now)), showQuery(b.query, step)]),
            ),
          )
        : [],
    ),
  ];
}

function locks(s: DatabaseSnapshot, step: Extract<DatabaseRead, { action: 'pg-locks' }>): string[] {
  const waiting = others(s)
    .filter((b) => b.blockedBy.length)
    .sort((a, b) => waitOf(b, s) - waitOf(a, s));
  if (!waiting.length) return [`no backend of database ${s.database} waits for a lock`];
  const pids = [...new Set(waiting.flatMap((b) => b.blockedBy))];
  const byPid = new Map(s.backends.map((b) => [b.pid, b]));
  const blockers = pids.map((pid) => byPid.get(pid)).filter((b): b is BackendView => !!b);
  const unseen = pids.filter((pid) => !byPid.has(pid));
  // The blockers that wait for nothing themselves are where a lock queue starts.
  const roots = blockers.filter((b) => !b.blockedBy.length).map((b) => b.pid);
  return [
    `${waiting.length} ${waiting.length === 1 ? 'backend waits' : 'backends wait'} for a lock${waiting.length > step.limit ? ` (the ${step.limit} longest shown)` : ''}:`,
    ...indented(
      table(
        ['pid', 'user', 'application', 'waiting', 'blocked by', 'query'],
        waiting
          .slice(0, step.limit)
          .map((b) => [...who(b), age(waitOf(b, s)), b.blockedBy.join(' '), showQuery(b.query, step)]),
      ),
    ),
    `blocking them${roots.length ? ` (at the head of the queue: ${roots.join(', ')})` : ''}:`,
    ...indented(
      table(
        ['pid', 'user', 'application', 'state', 'in state for', 'query'],
        blockers.map((b) => [...who(b), b.state, age(ageOf(b, s.now)), showQuery(b.query, step)]),
      ),
    ),
    ...(unseen.length ? [`  also blocking: pid ${unseen.join(', ')} (not connected to ${s.database})`] : []),
  ];
}

/** How long a backend has waited for its lock: since the wait began where the server says (14+), else its statement. */
const waitOf = (b: BackendView, s: DatabaseSnapshot) => between(b.waitingSince ?? b.queryStart, s.now);

const statements = (list: readonly StatementView[], shape: QueryShape) =>
  indented(
    table(
      ['calls', 'mean', 'total', 'rows', 'query'],
      list.map((q) => [q.calls, millis(q.meanMs), millis(q.totalMs), q.rows, showQuery(q.query, shape)]),
    ),
  );

/** Runs a read-only database step and returns what it found, as plain lines. */
export async function readDatabase(db: DatabaseDiagnostics, step: DatabaseRead): Promise<string[]> {
  if (step.action === 'pg-slow-queries') {
    const slow = await db.slowQueries(step.database, step.limit);
    if (!slow.available) return [slow.reason];
    if (!slow.byMean.length) return [`${slow.source}: no statements of this database recorded yet`];
    return [
      `${slow.source}; top ${slow.byMean.length} by mean time:`,
      ...statements(slow.byMean, step),
      `top ${slow.byTotal.length} by total time:`,
      ...statements(slow.byTotal, step),
    ];
  }
  const snapshot = await db.snapshot(step.database);
  return step.action === 'pg-activity' ? activity(snapshot, step) : locks(snapshot, step);
}
