-- The stats keep a snapshot of every incident's figures in the bot (postgres/stats-store.ts), keyed by incident:
-- with the ID beside the figures, loading it reads this index alone, whatever the history. Changes since are read
-- through incidents_updated (migration 012).
DROP INDEX incidents_declared;
CREATE INDEX incidents_declared ON incidents (declared_at)
  INCLUDE (id, severity, tta, ttm, ttr, updates_on_time, updates_missed) WHERE NOT drill;
