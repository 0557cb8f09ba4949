import type pg from 'pg';
import { CARD_WINDOW_MS, STORM_QUIET_MS } from '../alerts/placement.js';
import type { AlertOutbox } from '../alerts/ports.js';
import { type GroupRow, LINE, SELECT_GROUP, toGroup, toLine } from './alert-store.js';
import { guarded, transaction } from './pool.js';

/** Serialises placement across replicas, so two cannot both think the channel has room. */
const PLACE_LOCK = 7_412_011;
const DIGEST_LINES_MAX = 500;
const TABLES = { card: 'alert_groups', digest: 'alert_digests' } as const;

/**
 * The Postgres `AlertOutbox`: what Slack should show of alert groups, as
 * versions it has and has not shown yet. Cards and the digest are leased
 * while they are posted; one whose lease ran out is taken up again, marked
 * unsure so the retry looks for it before posting.
 */
export function createAlertOutbox(pool: pg.Pool, options: { leaseMs: number }): AlertOutbox {
  const lease = `$1::timestamptz + ${Math.round(options.leaseMs)} * interval '1 millisecond'`;

  return {
    place: (now, rule) =>
      guarded(() =>
        transaction(pool, async (db) => {
          await db.query('SELECT pg_advisory_xact_lock($1)', [PLACE_LOCK]);
          const fresh = await db.query<{ id: string }>(
            'SELECT id FROM alert_groups WHERE placement IS NULL AND version > shown_version ORDER BY id',
          );
          if (!fresh.rowCount) return 0;
          const recent = await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM alert_groups
             WHERE placement = 'card' AND placed_at > $1::timestamptz - $2 * interval '1 millisecond'`,
            [now, CARD_WINDOW_MS],
          );
          const open = await db.query<{ id: string }>(
            `SELECT id FROM alert_digests
             WHERE last_added_at > $1::timestamptz - $2 * interval '1 millisecond' ORDER BY id DESC LIMIT 1`,
            [now, STORM_QUIET_MS],
          );
          const where = rule(fresh.rowCount, { recentCards: recent.rows[0]!.n, digestOpen: !!open.rowCount });
          const ids = (kind: 'card' | 'digest') => fresh.rows.filter((_, n) => where[n] === kind).map((r) => r.id);
          await db.query(`UPDATE alert_groups SET placement = 'card', placed_at = $2 WHERE id = ANY($1::bigint[])`, [
            ids('card'),
            now,
          ]);
          const folded = ids('digest');
          if (folded.length) {
            const digestId =
              open.rows[0]?.id ??
              (
                await db.query<{ id: string }>(
                  'INSERT INTO alert_digests (opened_at, last_added_at) VALUES ($1, $1) RETURNING id',
                  [now],
                )
              ).rows[0]!.id;
            await db.query(
              `UPDATE alert_groups SET placement = 'digest', placed_at = $3, digest_id = $2, shown_version = version
               WHERE id = ANY($1::bigint[])`,
              [folded, digestId, now],
            );
            await db.query(
              `UPDATE alert_digests SET last_added_at = $2, version = version + 1, next_at = LEAST(next_at, $2) WHERE id = $1`,
              [digestId, now],
            );
          }
          return fresh.rowCount;
        }),
      ),

    claimCards: (now, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<{ id: string }>(
          `UPDATE alert_groups SET attempts = attempts + 1, lease_until = ${lease},
             unsure = unsure OR (lease_until IS NOT NULL AND lease_until < $1)
           WHERE id IN (
             SELECT id FROM alert_groups
             WHERE placement = 'card' AND version > shown_version AND next_at <= $1
               AND (lease_until IS NULL OR lease_until < $1)
             ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id`,
          [now, limit],
        );
        if (!rows.length) return [];
        const claimed = await pool.query<GroupRow>(`${SELECT_GROUP} WHERE g.id = ANY($1::bigint[]) ORDER BY g.id`, [
          rows.map((r) => r.id),
        ]);
        return claimed.rows.map(toGroup);
      }),

    cardShown: (id, version, channel, ts) =>
      guarded(async () => {
        await pool.query(
          `UPDATE alert_groups SET shown_version = GREATEST(shown_version, $2), card_channel = $3, card_ts = $4,
             lease_until = NULL, attempts = 0, unsure = false, last_error = NULL
           WHERE id = $1`,
          [id, version, channel, ts],
        );
      }),

    claimDigest: (now, everyMs, lines) =>
      guarded(async () => {
        const { rows } = await pool.query<{
          id: string;
          channel: string | null;
          ts: string | null;
          version: number;
          attempts: number;
          unsure: boolean;
          opened_at: Date;
        }>(
          `UPDATE alert_digests SET attempts = attempts + 1, lease_until = ${lease},
             unsure = unsure OR (lease_until IS NOT NULL AND lease_until < $1)
           WHERE id = (
             SELECT id FROM alert_digests
             WHERE version > shown_version AND next_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
               AND (shown_at IS NULL OR shown_at <= $1::timestamptz - $2 * interval '1 millisecond')
             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING id, channel, ts, version, attempts, unsure, opened_at`,
          [now, everyMs],
        );
        const d = rows[0];
        if (!d) return undefined;
        const all = await pool.query(`${LINE} WHERE digest_id = $1 ORDER BY (status = 'firing') DESC, id LIMIT $2`, [
          d.id,
          Math.min(Math.max(lines, 1), DIGEST_LINES_MAX),
        ]);
        const counts = await pool.query<{ total: number; firing: number }>(
          `SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'firing')::int AS firing
           FROM alert_groups WHERE digest_id = $1`,
          [d.id],
        );
        return {
          id: Number(d.id),
          channel: d.channel,
          ts: d.ts,
          version: d.version,
          attempts: d.attempts,
          unsure: d.unsure,
          openedAt: d.opened_at,
          lines: all.rows.map(toLine),
          total: counts.rows[0]!.total,
          firing: counts.rows[0]!.firing,
        };
      }),

    digestShown: (id, version, channel, ts, now) =>
      guarded(async () => {
        await pool.query(
          `UPDATE alert_digests SET shown_version = GREATEST(shown_version, $2), channel = $3, ts = $4, shown_at = $5,
             lease_until = NULL, attempts = 0, unsure = false, last_error = NULL
           WHERE id = $1`,
          [id, version, channel, ts, now],
        );
      }),

    retry: (kind, id, at, error, unsure) =>
      guarded(async () => {
        await pool.query(
          `UPDATE ${TABLES[kind]} SET next_at = $2, last_error = $3, unsure = unsure OR $4, lease_until = NULL WHERE id = $1`,
          [id, at, error, unsure],
        );
      }),

    giveUp: (kind, id, error) =>
      guarded(async () => {
        await pool.query(
          `UPDATE ${TABLES[kind]} SET shown_version = version, last_error = $2, lease_until = NULL WHERE id = $1`,
          [id, error],
        );
      }),

    nextDue: (now, everyMs) =>
      guarded(async () => {
        const { rows } = await pool.query<{ at: Date | null }>(
          `SELECT min(at) AS at FROM (
             SELECT min(next_at) AS at FROM alert_groups
               WHERE placement = 'card' AND version > shown_version AND lease_until IS NULL
             UNION ALL
             SELECT min(GREATEST(next_at, shown_at + $2 * interval '1 millisecond')) FROM alert_digests
               WHERE version > shown_version AND lease_until IS NULL
             UNION ALL
             SELECT $1::timestamptz + interval '5 seconds' FROM alert_groups
               WHERE declare_wanted AND incident_id IS NULL HAVING count(*) > 0
           ) due`,
          [now, everyMs],
        );
        return rows[0]?.at ?? undefined;
      }),
  };
}
