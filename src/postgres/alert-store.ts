import type pg from 'pg';
import type { AlertGroup, DigestLine, GroupInput } from '../alerts/alert-group.js';
import type { AlertStore } from '../alerts/ports.js';
import { guarded, transaction } from './pool.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** A group with whether its incident is resolved; append a WHERE clause. */
export const SELECT_GROUP = `
  SELECT g.*, COALESCE(i.status = 'resolved', false) AS incident_resolved
  FROM alert_groups g LEFT JOIN incidents i ON i.id = g.incident_id`;

export interface GroupRow {
  id: string;
  group_key: string;
  episode: number;
  receiver: string;
  status: AlertGroup['status'];
  level: string | null;
  title: string;
  common_labels: AlertGroup['commonLabels'];
  alerts: AlertGroup['alerts'];
  truncated: number;
  external_url: string | null;
  first_seen: Date;
  last_seen: Date;
  incident_id: string | null;
  incident_resolved: boolean;
  declare_wanted: boolean;
  placement: AlertGroup['placement'];
  digest_id: string | null;
  card_channel: string | null;
  card_ts: string | null;
  version: number;
  attempts: number;
  unsure: boolean;
}

/** The domain group of a `SELECT_GROUP` row. */
export const toGroup = (r: GroupRow): AlertGroup => ({
  id: Number(r.id),
  groupKey: r.group_key,
  episode: r.episode,
  receiver: r.receiver,
  status: r.status,
  level: r.level,
  title: r.title,
  commonLabels: r.common_labels,
  alerts: r.alerts,
  truncated: r.truncated,
  externalUrl: r.external_url,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  incidentId: r.incident_id,
  incidentResolved: r.incident_resolved,
  declareWanted: r.declare_wanted,
  placement: r.placement,
  digestId: r.digest_id === null ? null : Number(r.digest_id),
  cardChannel: r.card_channel,
  cardTs: r.card_ts,
  version: r.version,
  attempts: r.attempts,
  unsure: r.unsure,
});

/** A digest line of each group; append a WHERE clause. */
export const LINE = `SELECT id, title, level, status, incident_id,
  (SELECT count(*) FROM jsonb_each(alerts) a WHERE a.value->>'status' = 'firing')::int AS firing
  FROM alert_groups`;
/** The digest line of a `LINE` row. */
export const toLine = (r: {
  id: string;
  title: string;
  level: string | null;
  status: DigestLine['status'];
  incident_id: string | null;
  firing: number;
}): DigestLine => ({
  id: Number(r.id),
  title: r.title,
  level: r.level,
  status: r.status,
  firing: r.firing,
  incidentId: r.incident_id,
});

/** Shows a group through its digest: the digest is due again, and the group counts as shown. */
async function throughDigest(db: Queryable, groupId: number): Promise<void> {
  await db.query(
    `UPDATE alert_digests d SET version = d.version + 1 FROM alert_groups g
     WHERE g.id = $1 AND g.placement = 'digest' AND d.id = g.digest_id AND g.version > g.shown_version`,
    [groupId],
  );
  await db.query(`UPDATE alert_groups SET shown_version = version WHERE id = $1 AND placement = 'digest'`, [groupId]);
}

async function addTimeline(db: Queryable, incidentId: string, at: Date, kind: string, text: string, data: object) {
  await db.query(
    `INSERT INTO timeline (incident_id, at, actor, kind, text, data) VALUES ($1, $2, 'firebreak', $3, $4, $5)`,
    [incidentId, at, kind, text, JSON.stringify(data)],
  );
}

/**
 * The Postgres `AlertStore`: groups are locked by group key while a delivery
 * is merged, and tied to their incident with a timeline entry in the same
 * transaction.
 */
export function createAlertStore(pool: pg.Pool): AlertStore {
  return {
    receive: (input: GroupInput, now, decide) =>
      guarded(() =>
        transaction(pool, async (db) => {
          const created = await db.query(
            `INSERT INTO alert_groups (group_key, receiver, status, title, first_seen, last_seen)
             VALUES ($1, $2, $3, '', $4, $4) ON CONFLICT (group_key) DO NOTHING RETURNING id`,
            [input.groupKey, input.receiver, input.status, now],
          );
          const { rows } = await db.query<GroupRow>(`${SELECT_GROUP} WHERE g.group_key = $1 FOR UPDATE OF g`, [
            input.groupKey,
          ]);
          const current = created.rowCount ? undefined : toGroup(rows[0]!);
          const change = decide(current);
          const id = Number(rows[0]!.id);
          const values = {
            new_episode: change.newEpisode,
            changed: change.changed,
            declare: change.declare,
            receiver: input.receiver,
            status: change.status,
            level: change.level,
            title: change.title,
            common_labels: change.commonLabels,
            alerts: change.alerts,
            truncated: change.truncated,
            external_url: change.externalUrl,
          };
          // A new episode is a new card and a new incident; a change shows again at once.
          await db.query(
            `UPDATE alert_groups g SET
               episode = g.episode + CASE WHEN c.new_episode THEN 1 ELSE 0 END,
               receiver = c.receiver, status = c.status, level = c.level, title = c.title,
               common_labels = c.common_labels, alerts = c.alerts, truncated = c.truncated,
               external_url = c.external_url, last_seen = $3,
               declare_wanted = c.declare OR (g.declare_wanted AND NOT c.new_episode),
               incident_id = CASE WHEN c.new_episode THEN NULL ELSE g.incident_id END,
               placement = CASE WHEN c.new_episode THEN NULL ELSE g.placement END,
               digest_id = CASE WHEN c.new_episode THEN NULL ELSE g.digest_id END,
               card_channel = CASE WHEN c.new_episode THEN NULL ELSE g.card_channel END,
               card_ts = CASE WHEN c.new_episode THEN NULL ELSE g.card_ts END,
               version = g.version + CASE WHEN c.changed THEN 1 ELSE 0 END,
               next_at = CASE WHEN c.changed THEN $3 ELSE g.next_at END
             FROM jsonb_to_record($2::jsonb) AS c(
               new_episode boolean, changed boolean, declare boolean, receiver text, status text, level text,
               title text, common_labels jsonb, alerts jsonb, truncated integer, external_url text)
             WHERE g.id = $1`,
            [id, JSON.stringify(values), now],
          );
          if (change.changed) await throughDigest(db, id);
          const incidentId = current && !change.newEpisode ? current.incidentId : null;
          if (incidentId)
            for (const e of change.timeline)
              await addTimeline(db, incidentId, now, e.kind, e.text, { ...e.data, groupKey: input.groupKey });
          const { rows: after } = await db.query<GroupRow>(`${SELECT_GROUP} WHERE g.id = $1`, [id]);
          return { group: toGroup(after[0]!), change };
        }),
      ),

    get: (id) =>
      guarded(async () => {
        const { rows } = await pool.query<GroupRow>(`${SELECT_GROUP} WHERE g.id = $1`, [id]);
        return rows[0] && toGroup(rows[0]);
      }),

    toDeclare: (limit) =>
      guarded(async () => {
        const { rows } = await pool.query<GroupRow>(
          `${SELECT_GROUP} WHERE g.declare_wanted AND g.incident_id IS NULL ORDER BY g.id LIMIT $1`,
          [limit],
        );
        return rows.map(toGroup);
      }),

    tie: (groupId, episode, incidentId, now) =>
      guarded(() =>
        transaction(pool, async (db) => {
          const { rows } = await db.query<{ title: string; group_key: string; firing: number }>(
            `UPDATE alert_groups SET incident_id = $3, declare_wanted = false, version = version + 1, next_at = $4
             WHERE id = $1 AND episode = $2 AND incident_id IS NULL
             RETURNING title, group_key,
               (SELECT count(*) FROM jsonb_each(alerts) a WHERE a.value->>'status' = 'firing')::int AS firing`,
            [groupId, episode, incidentId, now],
          );
          const tied = rows[0];
          if (!tied) return false;
          await throughDigest(db, groupId);
          await addTimeline(
            db,
            incidentId,
            now,
            'alert_group',
            `Alertmanager group: ${tied.title} (${tied.firing} firing)`,
            {
              groupId,
              groupKey: tied.group_key,
            },
          );
          return true;
        }),
      ),

    search: (digestId, query, limit) =>
      guarded(async () => {
        const like = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const { rows } = await pool.query(
          `${LINE} WHERE digest_id = $1 AND incident_id IS NULL AND status = 'firing' AND title ILIKE $2
           ORDER BY id LIMIT $3`,
          [digestId, like, limit],
        );
        return rows.map(toLine);
      }),
  };
}
