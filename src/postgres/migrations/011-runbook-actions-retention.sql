-- Finished run actions are history like finished effects: retention deletes them oldest first, in batches.
CREATE INDEX runbook_actions_finished ON runbook_actions (done_at) WHERE state IN ('done', 'failed');
