import type pg from 'pg';
import type { Status, StatusUpdate } from '../incident/incident.js';
import type { CaptureReason, Followup, IncidentHistory, RecordStore, TimelineRecord } from '../incident/ports.js';
import { tsToDate } from '../incident/scribe.js';
import { guarded } from './pool.js';

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

/** The Postgres `RecordStore`: captured messages, follow-ups, reports and lifecycle history. */
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

    timeline: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<{
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
        }>(
          `SELECT id, at, actor, kind, text, data, author_name, permalink, thread_ts, edited_at, deleted_at FROM timeline
           WHERE incident_id = $1 AND removed_at IS NULL ORDER BY at, id`,
          [incidentId],
        );
        return rows.map(
          (r): TimelineRecord => ({
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
          }),
        );
      }),

    addFollowup: (incidentId, f) =>
      guarded(async () => {
        const { rows } = await pool.query<{ id: string }>(
          'INSERT INTO followups (incident_id, text, owner, due, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
          [incidentId, f.text, f.owner, f.due, f.createdBy, f.createdAt],
        );
        return { ...f, id: Number(rows[0]!.id) };
      }),

    followups: (incidentId) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          id: string;
          text: string;
          owner: string | null;
          due: string | null;
          created_by: string;
          created_at: Date;
        }>(
          `SELECT id, text, owner, to_char(due, 'YYYY-MM-DD') AS due, created_by, created_at FROM followups WHERE incident_id = $1 ORDER BY id`,
          [incidentId],
        );
        return rows.map(
          (r): Followup => ({
            id: Number(r.id),
            text: r.text,
            owner: r.owner,
            due: r.due,
            createdBy: r.created_by,
            createdAt: r.created_at,
          }),
        );
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

    savePostmortem: (incidentId, markdown, by, at) =>
      guarded(async () => {
        const { rows } = await pool.query<{ id: string }>(
          'INSERT INTO postmortems (incident_id, markdown, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [incidentId, markdown, by, at],
        );
        return Number(rows[0]!.id);
      }),

    setPostmortemFile: (id, fileId) =>
      guarded(async () => void (await pool.query('UPDATE postmortems SET file_id = $2 WHERE id = $1', [id, fileId]))),

    history: (since) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          severity: string;
          impact_started_at: Date | null;
          declared_at: Date;
          acked_at: Date | null;
          mitigated_at: Date | null;
          resolved_at: Date | null;
          on_time: string;
          missed: string;
        }>(
          `SELECT i.severity, i.impact_started_at, i.declared_at, i.acked_at, i.mitigated_at, i.resolved_at,
             (SELECT count(*) FROM status_updates u WHERE u.incident_id = i.id AND u.due_at IS NOT NULL AND u.at <= u.due_at) AS on_time,
             (SELECT count(*) FROM timeline t WHERE t.incident_id = i.id AND t.kind = 'update_overdue') AS missed
           FROM incidents i WHERE i.declared_at >= $1 AND NOT i.drill`,
          [since],
        );
        return rows.map(
          (r): IncidentHistory => ({
            severity: r.severity,
            impactStartedAt: r.impact_started_at,
            declaredAt: r.declared_at,
            ackedAt: r.acked_at,
            mitigatedAt: r.mitigated_at,
            resolvedAt: r.resolved_at,
            updatesOnTime: Number(r.on_time),
            updatesMissed: Number(r.missed),
          }),
        );
      }),
  };
}
