import type pg from 'pg';
import type { LiveMessage, LiveMessages, LiveRole } from '../incident/live-messages.js';
import { guarded } from './pool.js';

/** The Postgres `LiveMessages`: the `live_messages` table. Keeping a message twice is harmless. */
export function createLiveMessageStore(pool: pg.Pool): LiveMessages {
  return {
    list: (incidentId, role) =>
      guarded(async () => {
        const { rows } = await pool.query<{ channel: string; ts: string; data: Record<string, unknown> }>(
          `SELECT channel, ts, data FROM live_messages WHERE incident_id = $1 AND role = $2 ORDER BY created_at, ts`,
          [incidentId, role],
        );
        return rows.map((r): LiveMessage => ({ role: role as LiveRole, channel: r.channel, ts: r.ts, data: r.data }));
      }),
    keep: (incidentId, m) =>
      guarded(async () => {
        await pool.query(
          `INSERT INTO live_messages (incident_id, role, channel, ts, data) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (incident_id, channel, ts) DO NOTHING`,
          [incidentId, m.role, m.channel, m.ts, JSON.stringify(m.data)],
        );
      }),
    drop: (incidentId, channel, ts) =>
      guarded(async () => {
        await pool.query('DELETE FROM live_messages WHERE incident_id = $1 AND channel = $2 AND ts = $3', [
          incidentId,
          channel,
          ts,
        ]);
      }),
  };
}
