-- Runbook runs, their approvals and an audit trail. State changes are conditional updates: each runs once.
CREATE TABLE runbook_runs (
  id text PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  playbook text NOT NULL,
  params jsonb NOT NULL,
  target text NOT NULL,
  requested_by text NOT NULL,
  requested_at timestamptz NOT NULL,
  state text NOT NULL CHECK (state IN ('awaiting_approval', 'approved', 'running', 'succeeded', 'failed', 'denied', 'expired', 'interrupted')),
  step integer NOT NULL DEFAULT 0,
  preview jsonb,
  expires_at timestamptz,
  decided_by text,
  decided_at timestamptz,
  channel text,
  card_ts text,
  progress_ts text,
  outcome text,
  finished_at timestamptz
);
-- One mutating run per deployment at a time.
CREATE UNIQUE INDEX runbook_one_active ON runbook_runs (target) WHERE state IN ('awaiting_approval', 'approved', 'running');
CREATE INDEX runbook_recent ON runbook_runs (target, finished_at DESC);

CREATE TABLE runbook_audit (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL REFERENCES runbook_runs (id),
  incident_id text NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  event text NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX runbook_audit_run ON runbook_audit (run_id, id);
