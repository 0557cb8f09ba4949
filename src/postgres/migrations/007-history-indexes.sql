-- Costs that do not grow with history: indexes for stats, paging and the sweep; retention; postmortem versions.

-- Stats: incidents of a window, drills left out, read from the index alone (no table pages).
CREATE INDEX incidents_declared ON incidents (declared_at)
  INCLUDE (id, severity, impact_started_at, acked_at, mitigated_at, resolved_at) WHERE NOT drill;
-- Stats: missed updates and updates posted on time, without reading the rest of the timeline.
CREATE INDEX timeline_overdue ON timeline (incident_id) WHERE kind = 'update_overdue';
CREATE INDEX status_updates_on_time ON status_updates (incident_id) WHERE due_at IS NOT NULL AND at <= due_at;

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
