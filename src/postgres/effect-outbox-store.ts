import type pg from 'pg';
import type { Effect, EffectSpec } from '../incident/effect-spec.js';
import { effectPriority } from '../incident/importance.js';
import type { EffectOutbox } from '../incident/ports.js';
import { guarded } from './pool.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Records effects in the outbox, inside the caller's transaction; a pending refresh makes another one redundant. */
export async function addEffects(
  db: Queryable,
  incidentId: string,
  effects: readonly EffectSpec[],
  now: Date,
): Promise<void> {
  for (const spec of effects) {
    await db.query(
      `INSERT INTO effects (incident_id, kind, spec, next_at, priority) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (incident_id) WHERE kind = 'refresh' AND state = 'pending' DO NOTHING`,
      [incidentId, spec.kind, JSON.stringify(spec), now, effectPriority(spec)],
    );
  }
}

/**
 * The Postgres `EffectOutbox`. Connection failures surface as
 * `StorageUnavailableError`. A claimed effect whose process died is claimable
 * again after `leaseMs`, which must outlast the slowest effect.
 */
export function createEffectOutboxStore(pool: pg.Pool, options: { leaseMs: number }): EffectOutbox {
  /** Back to pending; a refresh superseded by a newer pending one is simply done. */
  const requeue = async (effectId: number, set: string, params: unknown[]): Promise<void> => {
    try {
      await pool.query(`UPDATE effects SET state = 'pending', lease_until = NULL, ${set} WHERE id = $1`, [
        effectId,
        ...params,
      ]);
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      await pool.query(`UPDATE effects SET state = 'done', done_at = now(), last_error = 'superseded' WHERE id = $1`, [
        effectId,
      ]);
    }
  };

  return {
    claim: (incidentId, now) =>
      guarded(async () => {
        // Taking over a running effect whose lease ran out means its process died mid-call: unsure.
        const { rows } = await pool.query<{
          id: string;
          incident_id: string;
          spec: EffectSpec;
          attempts: number;
          unsure: boolean;
        }>(
          `UPDATE effects SET state = 'running', attempts = attempts + 1, unsure = unsure OR state = 'running',
             lease_until = $2::timestamptz + $3 * interval '1 millisecond'
           WHERE id = (
             SELECT id FROM effects
             WHERE incident_id = $1 AND ((state = 'pending' AND next_at <= $2) OR (state = 'running' AND lease_until < $2))
             ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id, incident_id, spec, attempts, unsure`,
          [incidentId, now, options.leaseMs],
        );
        const row = rows[0];
        return (
          row &&
          ({
            id: Number(row.id),
            incidentId: row.incident_id,
            spec: row.spec,
            attempts: row.attempts,
            unsure: row.unsure,
          } satisfies Effect)
        );
      }),

    complete: (effectId) =>
      guarded(
        async () =>
          void (await pool.query(
            `UPDATE effects SET state = 'done', done_at = now(), lease_until = NULL WHERE id = $1`,
            [effectId],
          )),
      ),

    retry: (effectId, at, error, unsure) =>
      guarded(() => requeue(effectId, 'next_at = $2, last_error = $3, unsure = unsure OR $4', [at, error, unsure])),

    renew: (effectIds, now) =>
      guarded(
        async () =>
          void (await pool.query(
            `UPDATE effects SET lease_until = $2::timestamptz + $3 * interval '1 millisecond'
             WHERE id = ANY($1::bigint[]) AND state = 'running'`,
            [effectIds, now, options.leaseMs],
          )),
      ),

    defer: (effectId, at) => guarded(() => requeue(effectId, 'next_at = $2, attempts = attempts - 1', [at])),

    wakeRoomPosts: (incidentId, now) =>
      guarded(
        async () =>
          void (await pool.query(
            `UPDATE effects SET next_at = $2
             WHERE incident_id = $1 AND state = 'pending' AND next_at > $2
               AND ((kind = 'post' AND spec->>'target' = 'room') OR kind IN ('page', 'oncall'))`,
            [incidentId, now],
          )),
      ),

    fail: (effectId, error) =>
      guarded(
        async () =>
          void (await pool.query(
            `UPDATE effects SET state = 'failed', last_error = $2, done_at = now(), lease_until = NULL WHERE id = $1`,
            [effectId, error],
          )),
      ),

    incidentsWithDue: (now) =>
      guarded(async () => {
        const { rows } = await pool.query<{ incident_id: string }>(
          `SELECT DISTINCT incident_id FROM effects
           WHERE (state = 'pending' AND next_at <= $1) OR (state = 'running' AND lease_until < $1)`,
          [now],
        );
        return rows.map((r) => r.incident_id);
      }),
  };
}
