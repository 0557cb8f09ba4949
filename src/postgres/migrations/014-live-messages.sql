-- Messages that stay live while they still ask something of someone: the war room's update
-- reminder (one per incident; the previous one is edited to say it was answered or replaced)
-- and the escalation DMs (edited in place once someone acknowledges or resolves).
CREATE TABLE live_messages (
  incident_id text NOT NULL REFERENCES incidents (id),
  role text NOT NULL CHECK (role IN ('reminder', 'page')),
  channel text NOT NULL,
  ts text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, channel, ts)
);
