-- Incidents, their timeline, status updates, roles, outbox of side effects and idempotency keys.
CREATE TABLE incident_counters (
  day date PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE incidents (
  id text PRIMARY KEY,
  day date NOT NULL,
  seq integer NOT NULL,
  severity text NOT NULL,
  title text NOT NULL,
  impact text,
  services text[] NOT NULL DEFAULT '{}',
  status text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  declared_by text NOT NULL,
  declared_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolution text,
  channel_id text UNIQUE,
  channel_name text,
  card_ts text,
  announce_channel text,
  announce_ts text,
  drill boolean NOT NULL DEFAULT false,
  next_update_due timestamptz,
  UNIQUE (day, seq)
);
CREATE INDEX incidents_open ON incidents (declared_at DESC) WHERE status <> 'resolved';

CREATE TABLE incident_roles (
  incident_id text NOT NULL REFERENCES incidents (id),
  role text NOT NULL CHECK (role IN ('ic', 'lead', 'comms', 'scribe')),
  user_id text NOT NULL,
  assigned_at timestamptz NOT NULL,
  PRIMARY KEY (incident_id, role)
);

CREATE TABLE timeline (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  kind text NOT NULL,
  text text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_incident ON timeline (incident_id, at, id);

CREATE TABLE status_updates (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  at timestamptz NOT NULL,
  author text NOT NULL,
  status text NOT NULL,
  progress text NOT NULL,
  next_steps text,
  eta text,
  next_due timestamptz NOT NULL
);
CREATE INDEX status_updates_incident ON status_updates (incident_id, id DESC);

CREATE TABLE effects (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  kind text NOT NULL,
  spec jsonb NOT NULL,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX effects_due ON effects (incident_id, id) WHERE state IN ('pending', 'running');
-- At most one pending card refresh per incident: refreshes render current state, so one is enough.
CREATE UNIQUE INDEX effects_one_refresh ON effects (incident_id) WHERE kind = 'refresh' AND state = 'pending';

CREATE TABLE idempotency_keys (
  key text PRIMARY KEY,
  incident_id text REFERENCES incidents (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
