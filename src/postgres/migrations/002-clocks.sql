-- Update clock and escalation chain state. Postgres is the source of truth; Redis only holds prompts.
ALTER TABLE incidents ADD COLUMN acked_at timestamptz;
ALTER TABLE incidents ADD COLUMN acked_by text;
-- Escalation steps already fired, as 'LEVEL/STEP' keys, so each fires once per incident.
ALTER TABLE incidents ADD COLUMN escalated text[] NOT NULL DEFAULT '{}';
-- When the update was due, so "updates on time" can be computed.
ALTER TABLE status_updates ADD COLUMN due_at timestamptz;
CREATE INDEX incidents_update_due ON incidents (next_update_due) WHERE status <> 'resolved';
