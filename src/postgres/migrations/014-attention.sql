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

-- Timeline text is plain: the bot's own entries named people and channels in Slack markup.
-- A war room is named by its name; people move to structured references in data.refs, read
-- after the text ("Technical lead:" + remy), so reports and other chat tools need not undo markup.
UPDATE timeline
SET text = replace(text, '<#' || (data ->> 'channelId') || '>', '#' || (data ->> 'name'))
WHERE kind = 'war_room' AND data ? 'channelId' AND data ? 'name';

UPDATE timeline
SET data = coalesce(data, '{}'::jsonb) || jsonb_build_object(
      'refs',
      (SELECT jsonb_agg(jsonb_build_object('kind', 'person', 'id', m[1]))
       FROM regexp_matches(text, '<(?:@|!subteam\^)([A-Z0-9]+)(?:\|[^>]*)?>', 'g') AS m)
    ),
    text = btrim(regexp_replace(
      regexp_replace(text, '\s*\(owner <@[A-Z0-9]+(?:\|[^>]*)?>\)', '; owner', 'g'),
      '\s*(?:, )?<(?:@|!subteam\^)[A-Z0-9]+(?:\|[^>]*)?>', '', 'g'
    ))
WHERE kind IN ('role', 'update_overdue', 'escalated', 'followup')
  AND text ~ '<(?:@|!subteam\^)[A-Z0-9]+';
