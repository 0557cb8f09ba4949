import type pg from 'pg';
import type { RecordStore } from '../incident/ports.js';
import type { TimelineQuery, TimelineRecord } from '../incident/timeline.js';
import { guarded } from './pool.js';

const SELECT_ENTRY = `SELECT id, at, actor, kind, text, data, author_name, permalink, thread_ts, edited_at, deleted_at
  FROM timeline t WHERE t.incident_id = $1 AND t.removed_at IS NULL`;
/** The anchor's own (at, id), read by ID so the comparison keeps Postgres's microseconds. */
const ANCHOR = '(SELECT a.at, a.id FROM timeline a WHERE a.id = $2 AND a.incident_id = $1)';

/**
 * The first entry of a typed page: counted off in `timeline_shown` (migration 012) alone, so skipping
 * thousands of entries reads no table pages.
 */
const BOUNDARY = `(SELECT b.at, b.id FROM timeline b WHERE b.incident_id = $1 AND b.removed_at IS NULL
  ORDER BY b.at, b.id OFFSET $2 LIMIT 1)`;

/**
 * Each reads the timeline's (incident_id, at, id) index from the key on: the cost is the page, not the
 * timeline. A typed page number skips to its boundary in the index, then reads the page by key.
 */
export const TIMELINE_PAGE_SQL = {
  first: `${SELECT_ENTRY} ORDER BY t.at, t.id LIMIT $2`,
  after: `${SELECT_ENTRY} AND (t.at, t.id) > ${ANCHOR} ORDER BY t.at, t.id LIMIT $3`,
  before: `${SELECT_ENTRY} AND (t.at, t.id) < ${ANCHOR} ORDER BY t.at DESC, t.id DESC LIMIT $3`,
  offset: `${SELECT_ENTRY} AND (t.at, t.id) >= ${BOUNDARY} ORDER BY t.at, t.id LIMIT $3`,
} as const;

interface EntryRow {
  id: string;
  at: Date;
  actor: string;
  kind: string;
  text: string;
  data: Record<string, unknown>;
  author_name: string | null;
  permalink: string | null;
  thread_ts: string | null;
  edited_at: Date | null;
  deleted_at: Date | null;
}

function toRecord(r: EntryRow): TimelineRecord {
  return {
    id: Number(r.id),
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    text: r.text,
    data: r.data,
    authorName: r.author_name,
    permalink: r.permalink,
    threadTs: r.thread_ts,
    editedAt: r.edited_at,
    deletedAt: r.deleted_at,
  };
}

function statement(incidentId: string, q: TimelineQuery): [string, unknown[]] {
  if ('offset' in q) return [TIMELINE_PAGE_SQL.offset, [incidentId, q.offset, q.limit]];
  if ('beforeId' in q) return [TIMELINE_PAGE_SQL.before, [incidentId, q.beforeId, q.limit]];
  if (q.afterId === null) return [TIMELINE_PAGE_SQL.first, [incidentId, q.limit]];
  return [TIMELINE_PAGE_SQL.after, [incidentId, q.afterId, q.limit]];
}

/** The timeline reads of the Postgres `RecordStore`: keyset pages and the count. */
export function createTimelinePages(pool: pg.Pool): Pick<RecordStore, 'timelinePage' | 'timelineCount'> {
  return {
    timelinePage: (incidentId, query) =>
      guarded(async () => {
        const [sql, params] = statement(incidentId, query);
        const { rows } = await pool.query<EntryRow>(sql, params);
        const entries = rows.map(toRecord);
        return 'beforeId' in query ? entries.reverse() : entries;
      }),

    timelineCount: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM timeline WHERE incident_id = $1 AND removed_at IS NULL',
          [incidentId],
        );
        return rows[0]!.n;
      }),
  };
}
