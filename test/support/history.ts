/**
 * A year of incident history written straight into the real schema with
 * `generate_series`, so the history bench loads it in about a minute instead of
 * replaying commands through the bot. Deterministic (`setseed`) so runs compare.
 */
import type pg from 'pg';

/** How much history to write; `bigEntries` is the captured-message count of the one large incident. */
export interface HistoryShape {
  /** Resolved incidents are spread evenly over this many days before now. */
  readonly days: number;
  readonly resolved: number;
  readonly open: number;
  readonly entriesPerIncident: number;
  readonly bigEntries: number;
}

/** The year: 20,000 resolved incidents of 100 entries, 200 open (the large one too), one of 5,000 captured messages. */
export const YEAR: HistoryShape = {
  days: 365,
  resolved: 20_000,
  open: 199,
  entriesPerIncident: 100,
  bigEntries: 5_000,
};
/** The baseline: one open incident with two pages of timeline, nothing else. */
export const EMPTY: HistoryShape = { days: 365, resolved: 0, open: 0, entriesPerIncident: 20, bigEntries: 30 };

/** What the loader made, for the bench to address. */
export interface LoadedHistory {
  readonly bigId: string;
  readonly bigChannel: string;
  readonly openIds: readonly string[];
}

const DAY_S = 86_400;

/**
 * Writes `shape` into an empty, migrated database. Resolved incidents are
 * spread over the `days` before `now`; open ones fall in the last day; the
 * large incident is open (so it shows in `list`) and was declared 2 days ago.
 */
export async function loadHistory(pool: pg.Pool, shape: HistoryShape, now: Date): Promise<LoadedHistory> {
  const checkedOut = await pool.connect();
  // Loading a year of history takes longer than the pool's per-query timeout allows, most of all on a loaded machine.
  const client = {
    query: <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) => {
      const config = { text, values, query_timeout: 300_000 };
      return checkedOut.query<R>(config);
    },
  };
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    await client.query('SELECT setseed(0.42)');
    // One numbering for every incident so IDs (day, seq) never collide.
    await client.query(
      `WITH p AS (SELECT $1::timestamptz AS now, $2::int AS resolved, $3::int AS open, $4::int AS days),
       g AS (
         SELECT n,
           CASE WHEN n < resolved THEN now - (days * ${DAY_S} - n * ((days - 1) * ${DAY_S})::float / GREATEST(resolved, 1)) * interval '1 second'
                WHEN n < resolved + open THEN now - (n - resolved + 1) * interval '5 minutes'
                ELSE now - interval '2 days' END AS at,
           CASE WHEN n < resolved THEN 'resolved' WHEN n < resolved + open THEN 'open' ELSE 'big' END AS what,
           now
         FROM p CROSS JOIN generate_series(0, resolved + open) AS n
       ), s AS (
         SELECT g.*, at::date AS day, row_number() OVER (PARTITION BY at::date ORDER BY n) AS seq FROM g
       )
       INSERT INTO incidents (id, day, seq, severity, title, impact, services, status, declared_by, declared_at,
         resolved_at, resolution, drill, next_update_due, acked_at, acked_by, impact_started_at, mitigated_at,
         channel_id, channel_name)
       SELECT 'INC-' || to_char(day, 'YYYY-MMDD') || '-' || lpad(seq::text, 3, '0'), day, seq,
         CASE WHEN n % 20 = 0 THEN 'P0' WHEN n % 20 < 5 THEN 'P1' WHEN n % 20 < 13 THEN 'P2' ELSE 'P3' END,
         CASE WHEN what = 'big' THEN 'Checkout outage with a very long war room' ELSE 'History incident ' || n END,
         'Some customers affected', ARRAY['svc-' || (n % 17)],
         CASE WHEN what = 'resolved' THEN 'resolved' WHEN n % 3 = 0 THEN 'identified' ELSE 'investigating' END,
         'U0DECLARER', at,
         CASE WHEN what = 'resolved' THEN at + (40 + random() * 240) * interval '1 minute' END,
         CASE WHEN what = 'resolved' THEN 'Rolled back' END,
         what = 'resolved' AND n % 50 = 7,
         CASE WHEN what = 'resolved' THEN at + interval '15 minutes' ELSE now + (10 + n % 50) * interval '1 minute' END,
         at + (1 + random() * 20) * interval '1 minute', 'U0RESPOND1',
         CASE WHEN n % 2 = 0 THEN at - random() * interval '15 minutes' END,
         CASE WHEN what <> 'open' THEN at + (10 + random() * 30) * interval '1 minute' END,
         'CH' || lpad(n::text, 9, '0'), 'inc-history-' || n
       FROM s`,
      [now, shape.resolved, shape.open, shape.days],
    );
    await client.query(
      'INSERT INTO incident_counters (day, last) SELECT day, max(seq) FROM incidents GROUP BY day ON CONFLICT DO NOTHING',
    );
    await client.query(
      `INSERT INTO incident_roles (incident_id, role, user_id, assigned_at)
       SELECT id, 'ic', 'U0RESPOND1', declared_at FROM incidents`,
    );
    // Lifecycle entries at fixed slots, captured messages in between; 5 missed updates and 4 updates each.
    await client.query(
      `INSERT INTO timeline (incident_id, at, actor, kind, text, data, author_name, source_channel, source_ts, permalink, reactors, recorded_at)
       SELECT i.id, i.declared_at + g * interval '1 minute', e.actor, e.kind, e.text, e.data, e.author,
         CASE WHEN e.kind = 'captured' THEN i.channel_id END,
         CASE WHEN e.kind = 'captured' THEN (extract(epoch FROM i.declared_at)::bigint + g * 60) || '.000100' END,
         CASE WHEN e.kind = 'captured' THEN 'https://example.slack.com/archives/' || i.channel_id || '/p' || g END,
         CASE WHEN e.kind = 'captured' THEN ARRAY['U0RESPOND2'] ELSE '{}' END,
         i.declared_at + g * interval '1 minute'
       FROM incidents i
       CROSS JOIN generate_series(1, $1::int) AS g
       CROSS JOIN LATERAL (SELECT
         CASE WHEN g = 1 THEN 'declared' WHEN g % 20 = 0 THEN 'update' WHEN g % 20 = 10 THEN 'update_overdue'
              WHEN g = $1::int AND i.status = 'resolved' THEN 'resolved' ELSE 'captured' END AS kind) k
       CROSS JOIN LATERAL (SELECT k.kind,
         CASE WHEN k.kind IN ('captured', 'update') THEN 'U0RESPOND2' WHEN k.kind = 'update_overdue' THEN 'firebreak' ELSE 'U0DECLARER' END AS actor,
         CASE WHEN k.kind = 'captured' THEN 'ola' WHEN k.kind = 'update_overdue' THEN NULL ELSE 'dana' END AS author,
         CASE k.kind WHEN 'update_overdue' THEN jsonb_build_object('due', i.declared_at + (g - 1) * interval '1 minute') ELSE '{}'::jsonb END AS data,
         k.kind || ' ' || g || ': ' || repeat(md5(i.id || g), 4) AS text) e
       WHERE i.title NOT LIKE 'Checkout outage%'`,
      [shape.entriesPerIncident],
    );
    const big = await client.query<{ id: string; channel_id: string }>(
      `SELECT id, channel_id FROM incidents WHERE title LIKE 'Checkout outage%'`,
    );
    const { id: bigId, channel_id: bigChannel } = big.rows[0]!;
    // The large incident: captured messages, every tenth spanning several lines, and lifecycle entries among them.
    await client.query(
      `INSERT INTO timeline (incident_id, at, actor, kind, text, author_name, source_channel, source_ts, permalink, reactors)
       SELECT $1, i.declared_at + g * interval '2 seconds', 'U0RESPOND2', 'captured',
         CASE WHEN g % 10 = 0 THEN 'Pool stats at ' || g || E':\\n- active 50\\n- waiting ' || g % 97 || E'\\n\\n# not a heading'
              ELSE 'Message ' || g || ' from the war room: ' || repeat(md5($1::text || g), 3) END,
         'ola', i.channel_id, (extract(epoch FROM i.declared_at)::bigint + g * 2) || '.000200',
         'https://example.slack.com/archives/' || i.channel_id || '/p' || g, ARRAY['U0RESPOND1']
       FROM incidents i CROSS JOIN generate_series(1, $2::int) AS g WHERE i.id = $1`,
      [bigId, shape.bigEntries],
    );
    await client.query(
      `INSERT INTO timeline (incident_id, at, actor, kind, text, author_name)
       SELECT $1, i.declared_at + g * interval '7 minutes', 'U0DECLARER', 'note', 'Note ' || g || ': still investigating', 'dana'
       FROM incidents i CROSS JOIN generate_series(1, 25) AS g WHERE i.id = $1`,
      [bigId],
    );
    await client.query(
      `INSERT INTO status_updates (incident_id, at, author, status, progress, next_steps, eta, next_due, due_at)
       SELECT i.id, i.declared_at + g * interval '20 minutes' + (random() * 10 - 5) * interval '1 minute', 'U0RESPOND1',
         'investigating', 'Progress ' || g, 'Keep watching', '30m',
         i.declared_at + (g + 1) * interval '20 minutes', i.declared_at + g * interval '20 minutes'
       FROM incidents i CROSS JOIN generate_series(1, 4) AS g`,
    );
    await client.query(
      `INSERT INTO followups (incident_id, text, owner, due, created_by, created_at)
       SELECT i.id, 'Follow-up ' || g || ' of ' || i.id, 'U0RESPOND2', (i.declared_at + interval '14 days')::date, 'U0DECLARER', i.declared_at + g * interval '1 hour'
       FROM incidents i CROSS JOIN generate_series(1, 2) AS g`,
    );
    // What piled up before retention existed: finished effects and idempotency keys of every command.
    await client.query(
      `INSERT INTO effects (incident_id, kind, spec, state, attempts, next_at, created_at, done_at)
       SELECT i.id, 'post', '{"kind":"post","target":"room","notice":{"kind":"acked","by":"U0RESPOND1"}}', 'done', 1,
         i.declared_at + g * interval '1 minute', i.declared_at + g * interval '1 minute', i.declared_at + g * interval '1 minute'
       FROM incidents i CROSS JOIN generate_series(1, 8) AS g`,
    );
    await client.query(
      `INSERT INTO idempotency_keys (key, incident_id, created_at)
       SELECT 'cmd:' || i.id || ':' || g, i.id, i.declared_at + g * interval '1 minute'
       FROM incidents i CROSS JOIN generate_series(1, 10) AS g`,
    );
    await client.query('VACUUM ANALYZE');
    const open = await client.query<{ id: string }>(
      `SELECT id FROM incidents WHERE status <> 'resolved' ORDER BY declared_at DESC, id DESC`,
    );
    return { bigId, bigChannel, openIds: open.rows.map((r) => r.id) };
  } finally {
    checkedOut.release();
  }
}
