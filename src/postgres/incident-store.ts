import type pg from 'pg';
import { formatIncidentId, type Incident, utcDay } from '../incident/incident.js';
import type { Mutation, NewIncident } from '../incident/mutation.js';
import type { IncidentStore } from '../incident/ports.js';
import type { TimelineEntry } from '../incident/timeline.js';
import { settleCommand } from './commit-outcome.js';
import { addEffects } from './effect-outbox-store.js';
import { type IncidentRow, SELECT_INCIDENT, toIncident } from './incident-rows.js';
import { CommitUnknown, guarded, transaction } from './pool.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

class KeySeen extends Error {
  constructor(readonly incidentId: string | null) {
    super('idempotency key seen');
  }
}

async function claimKey(db: Queryable, key: string | undefined, incidentId: string | null): Promise<void> {
  if (!key) return;
  const inserted = await db.query(
    'INSERT INTO idempotency_keys (key, incident_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key',
    [key, incidentId],
  );
  if (inserted.rowCount) return;
  const seen = await db.query<{ incident_id: string | null }>(
    'SELECT incident_id FROM idempotency_keys WHERE key = $1',
    [key],
  );
  throw new KeySeen(seen.rows[0]?.incident_id ?? incidentId);
}

async function addTimeline(db: Queryable, incidentId: string, entries: readonly TimelineEntry[]): Promise<void> {
  for (const e of entries) {
    await db.query(
      'INSERT INTO timeline (incident_id, at, actor, kind, text, data, author_name) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [incidentId, e.at, e.actor, e.kind, e.text, JSON.stringify(e.data ?? {}), e.authorName ?? null],
    );
  }
}

/**
 * The Postgres `IncidentStore`. Connection failures surface as
 * `StorageUnavailableError`. The effects a change records go into the outbox
 * in the change's transaction.
 */
export function createIncidentStore(pool: pg.Pool): IncidentStore {
  const get = async (db: Queryable, id: string): Promise<Incident | undefined> => {
    const { rows } = await db.query<IncidentRow>(`${SELECT_INCIDENT} WHERE i.id = $1`, [id]);
    return rows[0] && toIncident(rows[0]);
  };
  const mustGet = async (db: Queryable, id: string): Promise<Incident> => {
    const found = await get(db, id);
    if (!found) throw new Error(`incident ${id} not found`);
    return found;
  };
  return {
    declare: (input: NewIncident, key, build) =>
      guarded(async () => {
        try {
          return await transaction(pool, async (db) => {
            await claimKey(db, key, null);
            const day = utcDay(input.declaredAt);
            const counter = await db.query<{ last: number }>(
              `INSERT INTO incident_counters (day, last) VALUES ($1, 1)
               ON CONFLICT (day) DO UPDATE SET last = incident_counters.last + 1 RETURNING last`,
              [day],
            );
            const seq = counter.rows[0]!.last;
            const id = formatIncidentId(input.declaredAt, seq);
            await db.query(
              `INSERT INTO incidents (id, day, seq, severity, title, impact, services, status, declared_by, declared_at, drill, next_update_due)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'investigating', $8, $9, $10, $11)`,
              [
                id,
                day,
                seq,
                input.severity,
                input.title,
                input.impact,
                input.services,
                input.declaredBy,
                input.declaredAt,
                input.drill,
                input.nextUpdateDue,
              ],
            );
            if (key) await db.query('UPDATE idempotency_keys SET incident_id = $2 WHERE key = $1', [key, id]);
            const { timeline, effects } = build(id);
            await addTimeline(db, id, timeline);
            await addEffects(db, id, effects, input.declaredAt);
            return { incident: await mustGet(db, id), created: true };
          });
        } catch (err) {
          if (err instanceof KeySeen && err.incidentId)
            return { incident: await mustGet(pool, err.incidentId), created: false };
          if (err instanceof CommitUnknown)
            return settleCommand(pool, err, key, async (id) => ({ incident: await mustGet(pool, id), created: true }));
          throw err;
        }
      }),

    get: (id) => guarded(() => get(pool, id)),

    findByChannel: (channelId) =>
      guarded(async () => {
        const { rows } = await pool.query<IncidentRow>(`${SELECT_INCIDENT} WHERE i.channel_id = $1`, [channelId]);
        return rows[0] && toIncident(rows[0]);
      }),

    mutate: (id, key, decide: (incident: Incident) => Mutation) =>
      guarded(async () => {
        try {
          return await transaction(pool, async (db) => {
            // The row lock comes first: the key's foreign key then takes FOR KEY SHARE on a row this
            // transaction already holds, so two commands on one incident queue instead of deadlocking.
            // NO KEY UPDATE leaves other transactions free to insert rows that reference the incident.
            await db.query('SELECT 1 FROM incidents WHERE id = $1 FOR NO KEY UPDATE', [id]);
            await claimKey(db, key, id);
            const current = await mustGet(db, id);
            const m = decide(current);
            if (m.patch) {
              const p = m.patch;
              await db.query(
                `UPDATE incidents SET severity = COALESCE($2, severity), status = COALESCE($3, status),
                   resolved_at = COALESCE($4, resolved_at), resolution = COALESCE($5, resolution),
                   next_update_due = COALESCE($6, next_update_due), acked_at = COALESCE($7, acked_at), acked_by = COALESCE($8, acked_by),
                   impact_started_at = COALESCE($9, impact_started_at), mitigated_at = COALESCE(mitigated_at, $10)
                 WHERE id = $1`,
                [
                  id,
                  p.severity ?? null,
                  p.status ?? null,
                  p.resolvedAt ?? null,
                  p.resolution ?? null,
                  p.nextUpdateDue ?? null,
                  p.ackedAt ?? null,
                  p.ackedBy ?? null,
                  p.impactStartedAt ?? null,
                  p.mitigatedAt ?? null,
                ],
              );
            }
            if (m.escalated) {
              await db.query('UPDATE incidents SET escalated = array_append(escalated, $2) WHERE id = $1', [
                id,
                m.escalated,
              ]);
            }
            const at = m.timeline[0]?.at ?? new Date();
            if (m.role) {
              await db.query(
                `INSERT INTO incident_roles (incident_id, role, user_id, assigned_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (incident_id, role) DO UPDATE SET user_id = EXCLUDED.user_id, assigned_at = EXCLUDED.assigned_at`,
                [id, m.role.role, m.role.userId, at],
              );
            }
            if (m.update) {
              const u = m.update;
              await db.query(
                `INSERT INTO status_updates (incident_id, at, author, status, progress, next_steps, eta, next_due, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
                [id, u.at, u.author, u.status, u.progress, u.nextSteps, u.eta, u.nextDue, u.dueAt],
              );
              await db.query('UPDATE incidents SET next_update_due = $2 WHERE id = $1', [id, u.nextDue]);
            }
            await addTimeline(db, id, m.timeline);
            await addEffects(db, id, m.effects, at);
            if (m.followup) {
              const f = m.followup;
              await db.query(
                'INSERT INTO followups (incident_id, text, owner, due, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
                [id, f.text, f.owner, f.due, f.createdBy, f.createdAt],
              );
            }
            return { incident: await mustGet(db, id), applied: true };
          });
        } catch (err) {
          if (err instanceof KeySeen) return { incident: await mustGet(pool, id), applied: false };
          if (err instanceof CommitUnknown)
            return settleCommand(pool, err, key, async () => ({ incident: await mustGet(pool, id), applied: true }));
          throw err;
        }
      }),

    addTimeline: (incidentId, entry) => guarded(() => addTimeline(pool, incidentId, [entry])),

    timelineSince: (incidentId, since) =>
      guarded(async () => {
        const { rows } = await pool.query<TimelineEntry & { data: Record<string, unknown> }>(
          'SELECT at, actor, kind, text, data FROM timeline WHERE incident_id = $1 AND at > $2 ORDER BY at, id LIMIT 200',
          [incidentId, since],
        );
        return rows;
      }),

    setChannel: (incidentId, channelId, name) =>
      guarded(async () => {
        const r = await pool.query(
          'UPDATE incidents SET channel_id = $2, channel_name = $3 WHERE id = $1 AND channel_id IS NULL',
          [incidentId, channelId, name],
        );
        return r.rowCount === 1;
      }),

    setWarRoomIntent: (incidentId, name) =>
      guarded(
        async () =>
          void (await pool.query('UPDATE incidents SET war_room_intent = $2 WHERE id = $1', [incidentId, name])),
      ),

    setCard: (incidentId, ts) =>
      guarded(async () => void (await pool.query('UPDATE incidents SET card_ts = $2 WHERE id = $1', [incidentId, ts]))),

    setAnnouncement: (incidentId, channel, ts) =>
      guarded(
        async () =>
          void (await pool.query('UPDATE incidents SET announce_channel = $2, announce_ts = $3 WHERE id = $1', [
            incidentId,
            channel,
            ts,
          ])),
      ),
  };
}
