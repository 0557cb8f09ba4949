-- A new incident is stamped when its row is written, as every update already is (migration 012), not when its
-- transaction began: a declare may wait on its idempotency key before the insert, and the stats' delta read
-- (postgres/stats-store.ts) must not see a stamp much older than the commit that makes the row visible.
ALTER TABLE incidents ALTER COLUMN updated_at SET DEFAULT clock_timestamp();
