-- The war-room name chosen before conversations.create is called, so a retry after a crash
-- (or a lost answer) adopts the channel it already made instead of creating a second one.
ALTER TABLE incidents ADD COLUMN war_room_intent text;

-- Effects run most important first (announcements and pages before card edits and topics).
ALTER TABLE effects ADD COLUMN priority smallint NOT NULL DEFAULT 2;
-- True when an earlier attempt may have done the work (a lost answer, a crash mid-call):
-- only then does a retry spend a Slack call looking for what it may already have posted.
ALTER TABLE effects ADD COLUMN unsure boolean NOT NULL DEFAULT false;
