-- Costs that do not grow with history: indexes for stats, paging and the sweep; retention; postmortem versions.

-- Stats: update punctuality counted on the incident as updates and missed-update entries are written, so
-- the stats read one row per incident, never the timeline. Kept exact by triggers, whichever code writes.
ALTER TABLE incidents
  ADD COLUMN updates_on_time integer NOT NULL DEFAULT 0,
  ADD COLUMN updates_missed integer NOT NULL DEFAULT 0;
UPDATE incidents i SET updates_on_time = c.n
FROM (SELECT incident_id, count(*) AS n FROM status_updates WHERE due_at IS NOT NULL AND at <= due_at GROUP BY 1) c
WHERE c.incident_id = i.id;
UPDATE incidents i SET updates_missed = c.n
FROM (SELECT incident_id, count(*) AS n FROM timeline WHERE kind = 'update_overdue' GROUP BY 1) c
WHERE c.incident_id = i.id;

-- One trigger function for both counters: TG_ARGV[0] names the incidents column it keeps.
CREATE FUNCTION count_on_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('UPDATE incidents SET %1$I = %1$I + 1 WHERE id = $1', TG_ARGV[0]) USING NEW.incident_id;
  ELSE
    EXECUTE format('UPDATE incidents SET %1$I = %1$I - 1 WHERE id = $1', TG_ARGV[0]) USING OLD.incident_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER status_updates_count_on_time AFTER INSERT ON status_updates FOR EACH ROW
  WHEN (NEW.due_at IS NOT NULL AND NEW.at <= NEW.due_at) EXECUTE FUNCTION count_on_incident('updates_on_time');
CREATE TRIGGER status_updates_uncount_on_time AFTER DELETE ON status_updates FOR EACH ROW
  WHEN (OLD.due_at IS NOT NULL AND OLD.at <= OLD.due_at) EXECUTE FUNCTION count_on_incident('updates_on_time');
CREATE TRIGGER timeline_count_missed AFTER INSERT ON timeline FOR EACH ROW
  WHEN (NEW.kind = 'update_overdue') EXECUTE FUNCTION count_on_incident('updates_missed');
CREATE TRIGGER timeline_uncount_missed AFTER DELETE ON timeline FOR EACH ROW
  WHEN (OLD.kind = 'update_overdue') EXECUTE FUNCTION count_on_incident('updates_missed');

-- Stats: the incidents of a window, drills left out, read from the index alone (no table pages).
CREATE INDEX incidents_declared ON incidents (declared_at)
  INCLUDE (severity, impact_started_at, acked_at, mitigated_at, resolved_at, updates_on_time, updates_missed)
  WHERE NOT drill;

-- Open incidents: keyset pages of `list` (newest first) and the per-severity count, from the index alone.
DROP INDEX incidents_open;
CREATE INDEX incidents_open ON incidents (declared_at DESC, id DESC) INCLUDE (severity) WHERE status <> 'resolved';
-- The sweep: unacknowledged open incidents, whose escalation steps may be due.
CREATE INDEX incidents_unacked ON incidents (declared_at) INCLUDE (severity, escalated)
  WHERE status <> 'resolved' AND acked_at IS NULL;

-- Retention: what is old enough to go, found without a scan.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX effects_finished ON effects (done_at) WHERE state IN ('done', 'failed');

-- A postmortem draft is stored once per version: the same record gives the same fingerprint.
ALTER TABLE postmortems
  ADD COLUMN version integer,
  ADD COLUMN fingerprint text;
CREATE UNIQUE INDEX postmortems_version ON postmortems (incident_id, version) WHERE version IS NOT NULL;
CREATE UNIQUE INDEX postmortems_fingerprint ON postmortems (incident_id, fingerprint) WHERE fingerprint IS NOT NULL;
