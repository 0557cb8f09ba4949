/**
 * `pg-terminate`: the dry run lists exactly the backends the filter selects, and the approval binds
 * to that list; at execution each is signalled only while it is still the same session running the
 * same statement. Cancel first, then terminate what still runs after the grace period.
 */
import { DiagnosticsFailure } from '../errors.js';
import { parseDuration } from '../incident/duration.js';
import {
  ageOf,
  describeFilter,
  filterOf,
  keyOf,
  matchBackends,
  standing,
  type TerminateFilter,
  type TerminateStep,
} from './backend-filter.js';
import { backendsBinding } from './binding.js';
import type { Observed } from './cluster-views.js';
import type { BackendKey, BackendView, DatabaseSnapshot } from './database-views.js';
import type { BackendSignals, DatabaseDiagnostics } from './diag-ports.js';
import { showQuery } from './query-text.js';
import type { Preview } from './run.js';
import { age, table } from './table.js';
import { stepTarget } from './template.js';

/** A dry run with nothing to approve: no backend matches. */
export interface NothingToDo {
  readonly nothing: readonly string[];
}

/** What applying a step did: one line for the card and the timeline, and for a run's result any detail lines. */
export interface Applied {
  readonly message: string;
  readonly lines?: readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
}

const named = (k: BackendKey) => `pid ${k.pid} (${k.user ?? '?'}/${k.application || '(none)'})`;

function plan(step: TerminateStep): string {
  if (step.mode === 'terminate') return 'each is terminated (pg_terminate_backend)';
  return `each is cancelled (pg_cancel_backend), then terminated (pg_terminate_backend) if still running the same statement ${step.grace} later`;
}

function leftAlone(left: readonly { backend: BackendView; why: string }[]): string[] {
  if (!left.length) return [];
  const shown = left.slice(0, 8).map((l) => `pid ${l.backend.pid} (${l.why})`);
  return [`left alone though they match: ${shown.join(', ')}${left.length > 8 ? ` and ${left.length - 8} more` : ''}`];
}

/** The dry run: the backends that match now, which an approval binds to; too many is refused. */
export async function previewTerminate(
  db: DatabaseDiagnostics,
  step: TerminateStep,
  index: number,
  token: string,
): Promise<Preview | NothingToDo> {
  const f = filterOf(step);
  const s = await db.snapshot(step.database);
  const { matched, left } = matchBackends(s, f);
  if (!matched.length)
    return { nothing: [`no backend matches (${describeFilter(f)}); nothing to end`, ...leftAlone(left)] };
  if (matched.length > f.maxBackends)
    throw new DiagnosticsFailure(
      'refused',
      `${matched.length} backends of database ${step.database} match (${describeFilter(f)}), more than the ${f.maxBackends} one run may end (maxBackends). Nothing was run: narrow the filter, or raise maxBackends in the playbook.`,
    );
  const rows = matched.map((b) => [
    b.pid,
    b.user,
    b.application || '(none)',
    b.state,
    age(ageOf(b, s.now)),
    showQuery(b.query, step),
  ]);
  return {
    step: index,
    action: step.action,
    target: stepTarget(step),
    token,
    binding: backendsBinding(matched.map(keyOf)),
    lines: [
      `${matched.length} ${matched.length === 1 ? 'backend matches' : 'backends match'} (${describeFilter(f)}); ${plan(step)}. Only these: one that moved on to another statement, or a new match, is not touched.`,
      ...table(['pid', 'user', 'application', 'state', 'for', 'query'], rows),
      ...leftAlone(left),
    ],
  };
}

/** Each listed backend and what holds its pid in the database now. */
function compare(keys: readonly BackendKey[], s: DatabaseSnapshot): Extract<Observed, { kind: 'backends' }> {
  const byPid = new Map(s.backends.map((b) => [b.pid, b]));
  return { kind: 'backends', now: keys.map((key) => ({ key, found: byPid.get(key.pid) ?? null })) };
}

/** A fresh read of the approved backends, for the check of a step whose worker died. */
export async function observeBackends(db: DatabaseDiagnostics, step: TerminateStep, preview: Preview) {
  return compare(preview.binding.seen.backends ?? [], await db.snapshot(step.database));
}

const WHY = {
  'other-session': 'its pid now belongs to a new session',
  'other-statement': 'it now runs another statement',
};

/** What became of each approved backend. */
class Tally {
  readonly terminated: BackendKey[] = [];
  readonly cancelled: BackendKey[] = [];
  readonly ended: BackendKey[] = [];
  readonly skipped: { key: BackendKey; why: string }[] = [];

  lines(newMatches: number): string[] {
    const list = (keys: BackendKey[]) => keys.map(named).join(', ');
    return [
      ...(this.terminated.length ? [`terminated ${this.terminated.length}: ${list(this.terminated)}`] : []),
      ...(this.cancelled.length
        ? [`cancelled ${this.cancelled.length} (the statement ended after pg_cancel_backend): ${list(this.cancelled)}`]
        : []),
      ...(this.ended.length ? [`already ended ${this.ended.length}: ${list(this.ended)}`] : []),
      ...(this.skipped.length
        ? [`skipped ${this.skipped.length}: ${this.skipped.map((s) => `${named(s.key)}: ${s.why}`).join('; ')}`]
        : []),
      ...(newMatches
        ? [`${newMatches} more now match; they were not in this approval. Request the run again to preview them.`]
        : []),
    ];
  }
}

/** Waits out the grace period, looking every second: returns the cancelled backends still running their statement. */
async function stillRunning(
  db: DatabaseDiagnostics,
  step: TerminateStep,
  keys: readonly BackendKey[],
  sleep: (ms: number) => Promise<void>,
): Promise<BackendKey[]> {
  const grace = parseDuration(step.grace) ?? 10_000;
  let running = [...keys];
  for (let waited = 0; running.length && waited < grace; ) {
    const ms = Math.min(1000, grace - waited);
    await sleep(ms);
    waited += ms;
    const now = compare(running, await db.snapshot(step.database)).now;
    running = now.filter((n) => standing(n.key, n.found) === 'same').map((n) => n.key);
  }
  return running;
}

/** Matches now that were not approved (a new statement on a listed pid counts as new). */
async function newMatches(
  db: DatabaseDiagnostics,
  f: TerminateFilter,
  step: TerminateStep,
  keys: readonly BackendKey[],
) {
  const { matched } = matchBackends(await db.snapshot(step.database), f);
  return matched.filter((b) => !keys.some((k) => standing(k, keyOf(b)) === 'same')).length;
}

/**
 * Ends the approved backends, each only while it is still the listed session in the listed
 * statement; says which were terminated, cancelled, had already ended or were skipped.
 */
export async function executeTerminate(
  db: DatabaseDiagnostics & BackendSignals,
  step: TerminateStep,
  preview: Preview,
  sleep: (ms: number) => Promise<void>,
): Promise<Applied> {
  const keys = preview.binding.seen.backends ?? [];
  if (backendsBinding(keys).digest !== preview.binding.digest)
    throw new DiagnosticsFailure(
      'refused',
      'The approved list of backends does not match its digest; nothing was run.',
    );
  const f = filterOf(step);
  const tally = new Tally();
  const first = await db.signal(step.database, keys, step.mode === 'terminate' ? 'terminate' : 'cancel');
  const hit: BackendKey[] = [];
  for (const r of first) {
    const now = standing(r.key, r.found);
    if (r.refused) tally.skipped.push({ key: r.key, why: `the database refused: ${r.refused}` });
    else if (now === 'same' && r.signalled) hit.push(r.key);
    else if (now === 'same' || now === 'ended') tally.ended.push(r.key);
    else tally.skipped.push({ key: r.key, why: WHY[now] });
  }
  if (step.mode === 'terminate') tally.terminated.push(...hit);
  else {
    const running = await stillRunning(db, step, hit, sleep);
    tally.cancelled.push(...hit.filter((k) => !running.includes(k)));
    for (const r of running.length ? await db.signal(step.database, running, 'terminate') : []) {
      if (r.refused) tally.skipped.push({ key: r.key, why: `the database refused: ${r.refused}` });
      else if (standing(r.key, r.found) === 'same' && r.signalled) tally.terminated.push(r.key);
      else tally.cancelled.push(r.key);
    }
  }
  const lines = tally.lines(await newMatches(db, f, step, keys));
  const pids = (list: BackendKey[]) => list.map((k) => k.pid);
  return {
    message: `database ${step.database}: terminated ${tally.terminated.length}, cancelled ${tally.cancelled.length}, already ended ${tally.ended.length}, skipped ${tally.skipped.length}`,
    lines,
    detail: {
      terminated: pids(tally.terminated),
      cancelled: pids(tally.cancelled),
      ended: pids(tally.ended),
      skipped: tally.skipped.map((s) => ({ pid: s.key.pid, why: s.why })),
    },
  };
}
