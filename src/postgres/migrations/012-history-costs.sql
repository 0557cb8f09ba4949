-- The stats cache's validator: when any incident last changed (counters kept by triggers included, since they
-- update the incident row). The newest stamp is read from the index's end, whatever the history.
ALTER TABLE incidents ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE FUNCTION touch_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END $$;
CREATE TRIGGER incidents_touch BEFORE UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION touch_incident();
CREATE INDEX incidents_updated ON incidents (updated_at);

-- A typed timeline page finds its first entry by counting shown entries in this index alone (no table pages),
-- then reads only the page from there.
CREATE INDEX timeline_shown ON timeline (incident_id, at, id) WHERE removed_at IS NULL;

-- Retention of paging and alert bookkeeping: what is old enough to go, found without a scan.
CREATE INDEX pages_finished ON pages (created_at) WHERE state IN ('resolved', 'skipped');
CREATE INDEX alert_groups_last_seen ON alert_groups (last_seen);
CREATE INDEX alert_digests_last_added ON alert_digests (last_added_at);
