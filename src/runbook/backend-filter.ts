/** Which backends a `pg-terminate` step may end: its filter, what is never touched, and its bound. */
import { UserError } from '../errors.js';
import { parseDuration } from '../incident/duration.js';
import type { BackendKey, BackendView, DatabaseSnapshot } from './database-views.js';
import type { PROTECTED_KINDS, Step } from './playbook-schema.js';
import { age, between } from './table.js';

/** The `application_name` of Firebreak's connections to its own store. */
export const STORE_APPLICATION = 'firebreak';
/** The `application_name` of Firebreak's diagnostic connections. */
export const DIAG_APPLICATION = 'firebreak-diag';
/** Firebreak's own connections: never ended. */
export const FIREBREAK_APPLICATIONS: readonly string[] = [STORE_APPLICATION, DIAG_APPLICATION];
/** How many backends one run may end when the playbook does not say. */
export const DEFAULT_MAX_BACKENDS = 25;

export type TerminateStep = Extract<Step, { action: 'pg-terminate' }>;
type Protected = (typeof PROTECTED_KINDS)[number];

/** A `pg-terminate` step's filter, with its parameters filled in and its durations read. */
export interface TerminateFilter {
  readonly states: readonly string[];
  /** Minimum time in its state (for an active backend, since its statement started); 0 for none. */
  readonly olderThanMs: number;
  readonly user: string | undefined;
  readonly application: string | undefined;
  readonly queryPattern: RegExp | undefined;
  readonly include: ReadonlySet<Protected>;
  /** How many backends one run may end. */
  readonly maxBackends: number;
}

/** True when nothing narrows the filter to a workload or an age: it would match every backend in its states. */
export function matchesEverything(step: Pick<TerminateStep, 'olderThan' | 'user' | 'application' | 'queryPattern'>) {
  const older = step.olderThan === undefined ? 0 : (parseDuration(step.olderThan) ?? 0);
  return !step.user && !step.application && !step.queryPattern && older === 0;
}

/** Reads a rendered step's filter; a duration that is not one, or an unbounded filter, is refused before anything runs. */
export function filterOf(step: TerminateStep): TerminateFilter {
  const older = step.olderThan === undefined ? 0 : parseDuration(step.olderThan);
  if (older === undefined)
    throw new UserError(
      'usage',
      `pg-terminate on database ${step.database}: olderThan "${step.olderThan}" is not a duration; give one such as 30s, 5m or 1h. Nothing was run.`,
    );
  if (matchesEverything(step) && step.maxBackends === undefined)
    throw new UserError(
      'not_allowed',
      `pg-terminate on database ${step.database} would match every backend (no user, application, query pattern or minimum duration), and the playbook sets no maxBackends to bound how many one run may end. Narrow the filter or set maxBackends in the playbook. Nothing was run.`,
    );
  return {
    states: typeof step.state === 'string' ? [step.state] : step.state,
    olderThanMs: older,
    user: step.user,
    application: step.application,
    queryPattern: step.queryPattern ? new RegExp(step.queryPattern) : undefined,
    include: new Set(step.include),
    maxBackends: step.maxBackends ?? DEFAULT_MAX_BACKENDS,
  };
}

/** The filter in words, for the card: `state active, 10m or longer in it, user app`. */
export function describeFilter(f: TerminateFilter): string {
  return [
    `state ${f.states.join(' or ')}`,
    f.olderThanMs ? `${age(f.olderThanMs)} or longer in it` : '',
    f.user ? `user ${f.user}` : '',
    f.application ? `application ${f.application}` : '',
    f.queryPattern ? `query matching /${f.queryPattern.source}/` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** How long a backend has been in its state: an active one since its statement started. */
export function ageOf(b: BackendView, now: string): number {
  return between(b.state === 'active' ? b.queryStart : b.stateChange, now);
}

/** Why a backend is never ended, whatever the filter; undefined when it may be. */
function untouchable(b: BackendView, database: string): string | undefined {
  if (b.self || FIREBREAK_APPLICATIONS.includes(b.application)) return "Firebreak's own connection";
  if (b.database !== database) return 'another database';
  return undefined;
}

/** Why a backend is left alone unless the playbook names its kind in `include`. */
function guarded(b: BackendView, include: ReadonlySet<Protected>): string | undefined {
  if (b.backendType === 'walsender' && !include.has('replication')) return 'replication';
  if (b.backendType !== 'client backend' && b.backendType !== 'walsender' && !include.has('background-workers'))
    return `a background process (${b.backendType})`;
  if (b.superuser && !include.has('superusers')) return 'a superuser session';
  return undefined;
}

function selected(b: BackendView, f: TerminateFilter, now: string): boolean {
  return (
    !!b.state &&
    f.states.includes(b.state) &&
    ageOf(b, now) >= f.olderThanMs &&
    (!f.user || b.user === f.user) &&
    (!f.application || b.application === f.application) &&
    (!f.queryPattern || f.queryPattern.test(b.query))
  );
}

/**
 * The backends the filter selects, oldest first, and those it would select but that are left
 * alone (Firebreak's own, other databases', replication, background workers, superusers), with why.
 */
export function matchBackends(s: DatabaseSnapshot, f: TerminateFilter) {
  const matched: BackendView[] = [];
  const left: { backend: BackendView; why: string }[] = [];
  for (const b of s.backends) {
    if (!selected(b, f, s.now)) continue;
    const why = untouchable(b, s.database) ?? guarded(b, f.include);
    if (why) left.push({ backend: b, why });
    else matched.push(b);
  }
  matched.sort((a, b) => ageOf(b, s.now) - ageOf(a, s.now) || a.pid - b.pid);
  return { matched, left };
}

/** What an approval of ending this backend binds to. */
export function keyOf(b: BackendView): BackendKey {
  return {
    pid: b.pid,
    backendStart: b.backendStart,
    queryStart: b.queryStart,
    state: b.state,
    user: b.user,
    application: b.application,
  };
}

/** Where a listed backend stands now: the same statement, ended, or its pid now running something else. */
export type Standing = 'same' | 'ended' | 'other-session' | 'other-statement';

/** Compares a listed backend with what holds its pid now. */
export function standing(key: BackendKey, now: Pick<BackendKey, 'backendStart' | 'queryStart' | 'state'> | null) {
  if (!now) return 'ended';
  if (now.backendStart !== key.backendStart) return 'other-session';
  if (now.queryStart !== key.queryStart) return 'other-statement';
  return now.state === key.state ? 'same' : 'ended';
}
