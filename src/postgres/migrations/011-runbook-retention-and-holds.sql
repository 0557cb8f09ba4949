-- Finished run actions are history like finished effects: retention deletes them oldest first, in batches.
CREATE INDEX runbook_actions_finished ON runbook_actions (done_at) WHERE state IN ('done', 'failed');

-- Every target a run changes is held while the run is active, not only its first (a ConfigMap and
-- then the deployment it configures): one run per target at a time. A run's holds go when it ends.
CREATE TABLE runbook_holds (
  target text PRIMARY KEY,
  run_id text NOT NULL REFERENCES runbook_runs (id)
);
CREATE INDEX runbook_holds_run ON runbook_holds (run_id);
INSERT INTO runbook_holds (target, run_id)
  SELECT target, id FROM runbook_runs WHERE state IN ('awaiting_approval', 'approved', 'running');

-- Every target a run changes (the first is also `target`): the cooldown after a run counts for each.
ALTER TABLE runbook_runs ADD COLUMN targets text[] NOT NULL DEFAULT '{}';
UPDATE runbook_runs SET targets = ARRAY[target];
CREATE INDEX runbook_targets ON runbook_runs USING gin (targets);
