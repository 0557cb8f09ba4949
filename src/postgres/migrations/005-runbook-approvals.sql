-- Runbook runs you can trust: approvals bound to the previewed spec, an outbox so no run is stuck,
-- the IC at request time, and idempotent requests.

-- Requests still open from before this version were bound to resourceVersion and have no outbox
-- action to carry them on: they end here, nothing applied, and the requester asks again.
UPDATE runbook_runs SET state = 'expired', finished_at = now(),
  outcome = 'expired by the upgrade to approvals bound to the previewed spec; nothing was changed'
  WHERE state IN ('awaiting_approval', 'approved');

ALTER TABLE runbook_runs DROP CONSTRAINT runbook_runs_state_check;
ALTER TABLE runbook_runs ADD CONSTRAINT runbook_runs_state_check CHECK (state IN
  ('awaiting_approval', 'approved', 'running', 'succeeded', 'failed', 'denied', 'expired', 'interrupted', 'withdrawn'));

-- The incident commander when the run was requested: a later IC is not an approver of it.
ALTER TABLE runbook_runs ADD COLUMN commander text;
UPDATE runbook_runs r SET commander = COALESCE(
  (SELECT user_id FROM incident_roles WHERE incident_id = r.incident_id AND role = 'ic'),
  (SELECT declared_by FROM incidents WHERE id = r.incident_id));
ALTER TABLE runbook_runs ALTER COLUMN commander SET NOT NULL;

-- The trigger of the /incident run that made the run: a repeated delivery finds it instead of running again.
ALTER TABLE runbook_runs ADD COLUMN request_key text UNIQUE;

CREATE INDEX runbook_awaiting ON runbook_runs (incident_id) WHERE state = 'awaiting_approval';

-- The run outbox: what a run does next, written with the state change that calls for it.
CREATE TABLE runbook_actions (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL REFERENCES runbook_runs (id),
  kind text NOT NULL CHECK (kind IN ('continue', 'execute', 'ask', 'card', 'superseded', 'applied', 'post')),
  spec jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX runbook_actions_due ON runbook_actions (run_id, id) WHERE state IN ('pending', 'running');
-- One pending card edit per run: it renders the run's current state, so one is enough.
CREATE UNIQUE INDEX runbook_actions_one_card ON runbook_actions (run_id) WHERE kind = 'card' AND state = 'pending';
