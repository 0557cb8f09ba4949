-- PagerDuty pages sent for incidents, and Alertmanager alert groups with their Slack cards.

-- One row per PagerDuty target paged for an incident. `dedup_key` is what PagerDuty deduplicates on and what its
-- webhooks send back as the incident key, so an acknowledgement made in PagerDuty finds the incident here.
CREATE TABLE pages (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  -- 'default' (PAGERDUTY_ROUTING_KEY), 'service:<name>' or 'user:<Slack user ID>'
  target text NOT NULL,
  dedup_key text NOT NULL,
  state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'triggered', 'acknowledged', 'resolved', 'skipped')),
  pd_incident_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (incident_id, target)
);
CREATE INDEX pages_dedup_key ON pages (dedup_key);

-- A run of alert groups folded into one Slack message while cards come faster than a channel takes them.
CREATE TABLE alert_digests (
  id bigserial PRIMARY KEY,
  opened_at timestamptz NOT NULL,
  last_added_at timestamptz NOT NULL,
  channel text,
  ts text,
  -- The Slack side is a state outbox: `version` moves on with each change, `shown_version` when Slack shows it.
  version integer NOT NULL DEFAULT 1,
  shown_version integer NOT NULL DEFAULT 0,
  shown_at timestamptz,
  next_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  unsure boolean NOT NULL DEFAULT false,
  last_error text
);

-- One row per Alertmanager group key. `episode` starts again when a group that had ended fires anew.
CREATE TABLE alert_groups (
  id bigserial PRIMARY KEY,
  group_key text NOT NULL UNIQUE,
  episode integer NOT NULL DEFAULT 1,
  receiver text NOT NULL,
  status text NOT NULL CHECK (status IN ('firing', 'resolved')),
  level text,
  title text NOT NULL,
  common_labels jsonb NOT NULL DEFAULT '{}',
  -- fingerprint → { status, labels, annotations, startsAt, endsAt, generatorURL }
  alerts jsonb NOT NULL DEFAULT '{}',
  truncated integer NOT NULL DEFAULT 0,
  external_url text,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  incident_id text REFERENCES incidents (id),
  declare_wanted boolean NOT NULL DEFAULT false,
  placement text CHECK (placement IN ('card', 'digest')),
  placed_at timestamptz,
  digest_id bigint REFERENCES alert_digests (id),
  card_channel text,
  card_ts text,
  version integer NOT NULL DEFAULT 1,
  shown_version integer NOT NULL DEFAULT 0,
  next_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  unsure boolean NOT NULL DEFAULT false,
  last_error text
);
CREATE INDEX alert_groups_unshown ON alert_groups (next_at, id) WHERE version > shown_version;
CREATE INDEX alert_groups_to_declare ON alert_groups (id) WHERE declare_wanted AND incident_id IS NULL;
CREATE INDEX alert_groups_digest ON alert_groups (digest_id) WHERE digest_id IS NOT NULL;
CREATE INDEX alert_groups_recent_cards ON alert_groups (placed_at) WHERE placement = 'card';
