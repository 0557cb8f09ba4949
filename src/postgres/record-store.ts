import type pg from 'pg';
import type { Status, StatusUpdate } from '../incident/incident.js';
import type { RecordStore } from '../incident/ports.js';
import type { CaptureReason, Followup } from '../incident/record-items.js';
import { tsToDate } from '../incident/scribe.js';
import { guarded } from './pool.js';
import { createPostmortemStore } from './postmortem-store.js';
import { createTimelinePages } from './timeline-pages.js';

const SELECT_FOLLOWUP = `SELECT id, text, owner, to_char(due, 'YYYY-MM-DD') AS due, created_by, created_at FROM followups`;

interface FollowupRow {
  id: string;
  text: string;
  owner: string | null;
  due: string | null;
  created_by: string;
  created_at: Date;
}

function toFollowup(r: FollowupRow): Followup {
  return {
    id: Number(r.id),
    text: r.text,
    owner: r.owner,
    due: r.due,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/** SQL that adds one capture reason to a timeline row (and brings a removed entry back). */
function reasonSql(reason: CaptureReason): { set: string; value: unknown } {
  if ('reactor' in reason)
    return {
      set: `reactors = CASE WHEN $4 = ANY(reactors) THEN reactors ELSE array_append(reactors, $4) END`,
      value: reason.reactor,
    };
  if ('pinned' in reason) return { set: 'pinned = true', value: null };
  return { set: 'by_scribe = true', value: null };
}

/** The Postgres `RecordStore`: captured messages, follow-ups, timeline pages and report versions. */
export function createRecordStore(pool: pg.Pool): RecordStore {
  return {
    addReason: (incidentId, channel, ts, reason) =>
      guarded(async () => {
        const { set, value } = reasonSql(reason);
        const r = await pool.query(
          `UPDATE timeline SET ${set}, removed_at = NULL WHERE incident_id = $1 AND source_channel = $2 AND source_ts = $3`,
          'reactor' in reason ? [incidentId, channel, ts, value] : [incidentId, channel, ts],
        );
        return r.rowCount === 1;
      }),

    capture: (incidentId, c, reason) =>
      guarded(async () => {
        const { set, value } = reasonSql(reason);
        const r = await pool.query<{ inserted: boolean }>(
          `INSERT INTO timeline (incident_id, at, actor, kind, text, author_name, source_channel, source_ts, thread_ts, permalink, reactors, pinned, by_scribe, data)
           VALUES ($1, $5, $6, 'captured', $7, $8, $2, $3, $9, $10, CASE WHEN $4::text IS NULL THEN '{}'::text[] ELSE ARRAY[$4::text] END, $11, $12, '{}')
           ON CONFLICT (incident_id, source_channel, source_ts) WHERE source_ts IS NOT NULL
           DO UPDATE SET ${set.replace(/= (.*)$/, (_, rhs: string) => `= ${rhs.replaceAll('reactors', 'timeline.reactors')}`)}, removed_at = NULL
           RETURNING (xmax = 0) AS inserted`,
          [
            incidentId,
            c.channel,
            c.ts,
            value,
            tsToDate(c.ts),
            c.userId,
            c.text,
            c.authorName,
            c.threadTs,
            c.permalink,
            'pinned' in reason,
            'scribe' in reason,
          ],
        );
        return r.rows[0]?.inserted ? 'added' : 'exists';
      }),

    release: (incidentId, channel, ts, reactor) =>
      guarded(async () => {
        const { rows } = await pool.query<{ reactors: string[]; pinned: boolean; by_scribe: boolean }>(
          `UPDATE timeline SET reactors = array_remove(reactors, $4) WHERE incident_id = $1 AND source_channel = $2 AND source_ts = $3 AND removed_at IS NULL
           RETURNING reactors, pinned, by_scribe`,
          [incidentId, channel, ts, reactor],
        );
        const row = rows[0];
        if (!row) return 'absent';
        if (row.reactors.length || row.pinned || row.by_scribe) return 'kept';
        await pool.query(
          'UPDATE timeline SET removed_at = now() WHERE incident_id = $1 AND source_channel = $2 AND source_ts = $3 AND cardinality(reactors) = 0 AND NOT pinned AND NOT by_scribe',
          [incidentId, channel, ts],
        );
        return 'removed';
      }),

    edited: (incidentId, channel, ts, text, at) =>
      guarded(async () => {
        const r = await pool.query(
          `UPDATE timeline SET data = jsonb_set(data, '{edits}', COALESCE(data->'edits', '[]'::jsonb) || jsonb_build_array(jsonb_build_object('at', $5::timestamptz, 'previous', text))),
             text = $4, edited_at = $5
           WHERE incident_id = $1 AND source_channel = $2 AND source_ts = $3 AND text IS DISTINCT FROM $4`,
          [incidentId, channel, ts, text, at],
        );
        return r.rowCount === 1;
      }),

    deleted: (incidentId, channel, ts, at) =>
      guarded(async () => {
        const r = await pool.query(
          'UPDATE timeline SET deleted_at = $4 WHERE incident_id = $1 AND source_channel = $2 AND source_ts = $3 AND deleted_at IS NULL',
          [incidentId, channel, ts, at],
        );
        return r.rowCount === 1;
      }),

    followupsPage: (incidentId, afterId, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<FollowupRow>(
          `${SELECT_FOLLOWUP} WHERE incident_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
          [incidentId, afterId, limit],
        );
        return rows.map(toFollowup);
      }),

    followupCount: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM followups WHERE incident_id = $1',
          [incidentId],
        );
        return rows[0]!.n;
      }),

    updates: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          id: string;
          at: Date;
          author: string;
          status: Status;
          progress: string;
          next_steps: string | null;
          eta: string | null;
        }>(
          'SELECT id, at, author, status, progress, next_steps, eta FROM status_updates WHERE incident_id = $1 ORDER BY id',
          [incidentId],
        );
        return rows.map(
          (r): StatusUpdate => ({
            id: Number(r.id),
            at: r.at,
            author: r.author,
            status: r.status,
            progress: r.progress,
            nextSteps: r.next_steps,
            eta: r.eta,
          }),
        );
      }),

    ...createTimelinePages(pool),
    ...createPostmortemStore(pool),
  };
}
