import type pg from 'pg';
import { DUE_SQL, OPEN_BY_SEVERITY_SQL, OPEN_PAGE_SQL } from '../../src/postgres/open-incidents.js';
import { PURGE_SQL } from '../../src/postgres/retention-store.js';
import { SEVERITY_STATS_SQL, STATS_DELTA_SQL, STATS_LOAD_SQL } from '../../src/postgres/stats-store.js';
import { TIMELINE_PAGE_SQL } from '../../src/postgres/timeline-pages.js';

/** One scan in a plan: how a table was read, and through which index. */
export interface Scan {
  readonly node: string;
  readonly relation: string;
  readonly index?: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The scans of the plan Postgres chooses for `sql` with these parameters. */
export async function scansOf(db: Pick<pg.Pool, 'query'>, sql: string, params: unknown[]): Promise<Scan[]> {
  const { rows } = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const scans: Scan[] = [];
  const walk = (n: PlanNode) => {
    if (n['Relation Name'])
      scans.push({
        node: n['Node Type'],
        relation: n['Relation Name'],
        ...(n['Index Name'] && { index: n['Index Name'] }),
      });
    for (const child of n.Plans ?? []) walk(child);
  };
  walk(rows[0]!['QUERY PLAN'][0]!.Plan);
  return scans;
}

/** Tables that grow with history: none of them may be read whole. */
export const BIG_TABLES = ['incidents', 'timeline', 'status_updates', 'effects', 'idempotency_keys', 'followups'];

/**
 * Every query behind stats, /metrics, paging, the sweep and retention, with
 * parameters for a history loaded by `loadHistory`: its large incident, an
 * entry in the middle of that timeline and an open incident to page from.
 * `lastRead` bounds the stats' read of changes (30 s before `now` unless
 * given): a history written just before has every row changed since.
 */
export function historyQueries(
  now: Date,
  ids: { big: string; middleEntry: number; someOpen: string; typedOffset?: number; lastRead?: Date },
) {
  const day = 86_400_000;
  return {
    'stats snapshot load': [STATS_LOAD_SQL, [new Date(now.getTime() - 367 * day)]],
    'stats changes since the last read': [STATS_DELTA_SQL, [ids.lastRead ?? new Date(now.getTime() - 30_000)]],
    'stats past the snapshot (400d)': [SEVERITY_STATS_SQL, [new Date(now.getTime() - 400 * day)]],
    'open by severity': [OPEN_BY_SEVERITY_SQL, []],
    'list first page': [OPEN_PAGE_SQL.first, [40]],
    'list next page': [OPEN_PAGE_SQL.next, [40, ids.someOpen]],
    'sweep: what is due': [DUE_SQL, [now, ['P1'], ['P1/0'], [300_000], '', 300_000, 100]],
    'timeline first page': [TIMELINE_PAGE_SQL.first, [ids.big, 16]],
    'timeline next page': [TIMELINE_PAGE_SQL.after, [ids.big, ids.middleEntry, 16]],
    'timeline previous page': [TIMELINE_PAGE_SQL.before, [ids.big, ids.middleEntry, 16]],
    'timeline typed page': [TIMELINE_PAGE_SQL.offset, [ids.big, ids.typedOffset ?? 200, 16]],
    'retention: idempotency keys': [PURGE_SQL.idempotency_keys, [new Date(now.getTime() - 7 * day), 1000]],
    'retention: finished effects': [PURGE_SQL.finished_effects, [new Date(now.getTime() - 30 * day), 1000]],
  } as const satisfies Record<string, readonly [string, unknown[]]>;
}
