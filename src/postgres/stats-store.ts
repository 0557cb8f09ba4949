import type pg from 'pg';
import type { StatsStore } from '../incident/ports.js';
import { type SeverityFigures, STATS_WINDOW_LIMIT_MS } from '../incident/stats.js';
import { guarded } from './pool.js';
import { StatsSnapshot } from './stats-snapshot.js';
import { type IncidentFigures, ms } from './stats-window.js';

/**
 * Per-severity figures of the incidents declared since $1, drills left out,
 * read from the `incidents_declared` index alone (migration 016): each
 * incident's durations (seconds) and update punctuality are kept on its row as
 * it changes, so nothing here reads the timeline or the updates, nor computes
 * a duration. Quantiles are `percentile_cont` (linear between closest ranks)
 * over float seconds; a duration not reached is null, which they leave out.
 * The store answers from its snapshot what this answers; it runs this only for
 * a window reaching past the snapshot's horizon.
 */
export const SEVERITY_STATS_SQL = `
  SELECT severity, count(*) AS n,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY tta) AS mtta,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttm) AS mttm,
    percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ttr) AS mttr,
    sum(updates_on_time) AS on_time, sum(updates_missed) AS missed
  FROM incidents WHERE declared_at >= $1 AND NOT drill
  GROUP BY severity`;

const FIGURES = 'id, severity, declared_at, tta, ttm, ttr, updates_on_time, updates_missed';
/** The rows, beside the database's time of the read (one row with only that when there are none). */
const stamped = (rows: string) => `SELECT now() AS read_at, r.* FROM (SELECT) AS one LEFT JOIN (${rows}) AS r ON true`;

/** The snapshot: every incident declared since $1, drills left out, from `incidents_declared` alone (migration 017). */
export const STATS_LOAD_SQL = stamped(
  `SELECT ${FIGURES}, false AS drill FROM incidents WHERE declared_at >= $1 AND NOT drill`,
);

/** What changed since $1, drills and old incidents too (a change may take one out), from `incidents_updated`. */
export const STATS_DELTA_SQL = stamped(`SELECT ${FIGURES}, drill FROM incidents WHERE updated_at > $1`);

/**
 * How far before its last read the snapshot reads changes again. `updated_at`
 * is stamped when the row is written (an update by trigger, migration 012; an
 * insert by its default, migration 018), but other sessions see the row only once it
 * commits: a read at T misses a transaction still open at T, and that stamp is
 * before T. The pool (pool.ts) gives each statement 5 s (`query_timeout`; a
 * client that timed out is destroyed, so its transaction never commits), and
 * the stores' transactions run a few short statements between stamping an
 * incident and COMMIT, so they commit well within this margin. A change that
 * took longer (a session held open by hand) shows with the next full reload.
 */
export const STATS_DELTA_MARGIN_MS = 30_000;

/** A snapshot older than this is loaded again, off the request path: deltas never see a row deleted by hand. */
export const STATS_SNAPSHOT_MAX_AGE_MS = 10 * 60_000;

/** The snapshot keeps the longest window the command takes, and a day to spare as the clock moves on. */
const HORIZON_MS = STATS_WINDOW_LIMIT_MS + 86_400_000;

interface StatsRow {
  severity: string;
  n: string;
  mtta: number[] | null;
  mttm: number[] | null;
  mttr: number[] | null;
  on_time: string;
  missed: string;
}

interface FigureRow {
  read_at: Date;
  id: string | null;
  severity: string;
  drill: boolean;
  declared_at: Date;
  tta: number | null;
  ttm: number | null;
  ttr: number | null;
  updates_on_time: number;
  updates_missed: number;
}

/** The figures `SEVERITY_STATS_SQL` computes in Postgres, for windows past the snapshot (and to check it against). */
export async function figuresBySql(pool: Pick<pg.Pool, 'query'>, since: Date): Promise<SeverityFigures[]> {
  const { rows } = await pool.query<StatsRow>(SEVERITY_STATS_SQL, [since]);
  return rows.map(
    (r): SeverityFigures => ({
      severity: r.severity,
      count: Number(r.n),
      mtta: { median: ms(r.mtta?.[0]), p90: ms(r.mtta?.[1]) },
      mttm: { median: ms(r.mttm?.[0]), p90: ms(r.mttm?.[1]) },
      mttr: { median: ms(r.mttr?.[0]), p90: ms(r.mttr?.[1]) },
      updatesOnTime: Number(r.on_time),
      updatesMissed: Number(r.missed),
    }),
  );
}

/** An incident row as the snapshot keeps it; undefined for a drill, which the stats leave out. */
function kept(r: FigureRow): IncidentFigures | undefined {
  if (r.drill) return undefined;
  return {
    id: r.id!,
    severity: r.severity,
    declaredAt: r.declared_at.getTime(),
    tta: r.tta,
    ttm: r.ttm,
    ttr: r.ttr,
    onTime: r.updates_on_time,
    missed: r.updates_missed,
  };
}

/** A snapshot, when it was loaded (by `now`) and when, by the database's clock, it last read what changed. */
interface Held {
  readonly snapshot: StatsSnapshot;
  /** When it is next loaded again in the background (`now`'s clock); a failed reload pushes it back. */
  reloadAt: number;
  readAt: Date;
}

/** Runs `work` one at a time; callers that come while it runs share the next run, which starts after it. */
function oneAtATime<T>(work: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = () => {
    running = work().finally(() => {
      running = undefined;
    });
    return running;
  };
  return () => {
    // Between one run's end and the queued run's start, a caller joins the queued run, not a third.
    if (next) return next;
    if (!running) return start();
    next = running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

export interface StatsStoreOptions {
  /** The clock of the snapshot's age and horizon. */
  readonly now?: () => number;
  readonly marginMs?: number;
  readonly maxAgeMs?: number;
  /** Where a failed background reload is told (the snapshot in hand keeps answering). */
  readonly log?: { warn(obj: object, msg: string): void };
}

/**
 * The Postgres `StatsStore`, answering from a snapshot of the incidents
 * declared within the longest window (`StatsSnapshot`), loaded with one query
 * on the first ask (or `warm()` at boot). Each ask first reads the rows
 * changed since the last read (less `STATS_DELTA_MARGIN_MS`) from
 * `incidents_updated` and applies them, so a change by any writer, on any
 * replica, shows on the next ask, and the ask costs what changed, not the
 * history. Figures are exact for the window asked; when nothing changed they
 * are served as computed. Rows deleted from `incidents` by hand are not seen
 * by deltas: a snapshot older than `STATS_SNAPSHOT_MAX_AGE_MS` is loaded again
 * in the background, and the new one answers once it is in.
 */
export function createStatsStore(pool: Pick<pg.Pool, 'query'>, options: StatsStoreOptions = {}) {
  const now = options.now ?? Date.now;
  const marginMs = options.marginMs ?? STATS_DELTA_MARGIN_MS;
  const maxAgeMs = options.maxAgeMs ?? STATS_SNAPSHOT_MAX_AGE_MS;
  let held: Held | undefined;
  let reloading = false;

  const load = async (): Promise<Held> => {
    const loadedAt = now();
    const horizon = loadedAt - HORIZON_MS;
    const { rows } = await pool.query<FigureRow>(STATS_LOAD_SQL, [new Date(horizon)]);
    const incidents = rows.flatMap((r) => (r.id === null ? [] : [kept(r)!]));
    return { snapshot: new StatsSnapshot(horizon, incidents), reloadAt: loadedAt + maxAgeMs, readAt: rows[0]!.read_at };
  };

  const reloadInBackground = (old: Held) => {
    reloading = true;
    load()
      .then((fresh) => {
        for (const since of old.snapshot.starts()) fresh.snapshot.figures(since);
        held = fresh;
      })
      // The snapshot in hand keeps answering, and the reload is tried again a whole age later.
      .catch((err: unknown) => {
        old.reloadAt = now() + maxAgeMs;
        options.log?.warn({ err }, 'could not reload the stats snapshot; its deltas keep it current meanwhile');
      })
      .finally(() => {
        reloading = false;
      });
  };

  const refresh = oneAtATime(async (): Promise<Held> => {
    if (!held) {
      held = await load();
      return held;
    }
    const h = held;
    if (!reloading && now() >= h.reloadAt) reloadInBackground(h);
    const { rows } = await pool.query<FigureRow>(STATS_DELTA_SQL, [new Date(h.readAt.getTime() - marginMs)]);
    for (const r of rows) if (r.id !== null) h.snapshot.put(r.id, kept(r));
    h.readAt = rows[0]!.read_at;
    return h;
  });

  return {
    severityStats: (since) =>
      guarded(async () => {
        const { snapshot } = await refresh();
        if (since.getTime() < snapshot.horizon) return figuresBySql(pool, since);
        return snapshot.figures(since.getTime());
      }),
    /** Loads the snapshot now, so the first ask need not; a failure is left for that ask to meet again. */
    warm: () =>
      refresh().then(
        () => undefined,
        () => undefined,
      ),
  } satisfies StatsStore & { warm(): Promise<void> };
}
