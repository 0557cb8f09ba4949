-- Scribe capture, follow-ups, post-incident reports and lifecycle timestamps.
ALTER TABLE timeline
  ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN author_name text,
  ADD COLUMN source_channel text,
  ADD COLUMN source_ts text,
  ADD COLUMN thread_ts text,
  ADD COLUMN permalink text,
  ADD COLUMN edited_at timestamptz,
  ADD COLUMN deleted_at timestamptz,
  ADD COLUMN removed_at timestamptz,
  -- Why a captured message is on the timeline: who reacted with the capture emoji, a pin, the scribe.
  ADD COLUMN reactors text[] NOT NULL DEFAULT '{}',
  ADD COLUMN pinned boolean NOT NULL DEFAULT false,
  ADD COLUMN by_scribe boolean NOT NULL DEFAULT false;
-- One entry per Slack message per incident: repeat reactions and pins add nothing.
CREATE UNIQUE INDEX timeline_source ON timeline (incident_id, source_channel, source_ts) WHERE source_ts IS NOT NULL;

ALTER TABLE incidents
  ADD COLUMN impact_started_at timestamptz,
  ADD COLUMN mitigated_at timestamptz;

CREATE TABLE followups (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  text text NOT NULL,
  owner text,
  due date,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  done_at timestamptz
);
CREATE INDEX followups_incident ON followups (incident_id, id);

CREATE TABLE postmortems (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  markdown text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  file_id text
);
