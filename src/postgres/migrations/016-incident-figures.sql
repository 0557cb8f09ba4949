-- Stats kept incrementally: each incident's durations, in seconds, kept on its row by a trigger in the
-- transaction of whatever changes it (declare, ack, mitigate, resolve, a new impact start), beside the update
-- counters of migration 012 and its severity. The stats read only these figures, from one narrow index.
--   tta: declared → acknowledged; ttm: impact start (or declared) → mitigated; ttr: the same → resolved.
-- Null when not (yet) reached, or recorded before its start: the stats have always left those out.
ALTER TABLE incidents
  ADD COLUMN tta double precision,
  ADD COLUMN ttm double precision,
  ADD COLUMN ttr double precision;

CREATE FUNCTION keep_incident_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  began timestamptz := COALESCE(NEW.impact_started_at, NEW.declared_at);
BEGIN
  NEW.tta := CASE WHEN NEW.acked_at >= NEW.declared_at THEN date_part('epoch', NEW.acked_at - NEW.declared_at) END;
  NEW.ttm := CASE WHEN NEW.mitigated_at >= began THEN date_part('epoch', NEW.mitigated_at - began) END;
  NEW.ttr := CASE WHEN NEW.resolved_at >= began THEN date_part('epoch', NEW.resolved_at - began) END;
  RETURN NEW;
END $$;
CREATE TRIGGER incidents_figures BEFORE INSERT OR UPDATE OF declared_at, impact_started_at, acked_at, mitigated_at,
  resolved_at, tta, ttm, ttr ON incidents FOR EACH ROW EXECUTE FUNCTION keep_incident_figures();

-- Backfill: the figures of every incident already stored (the trigger computes them).
UPDATE incidents SET tta = NULL;

-- The stats of a window, drills left out, read from this index alone: the figures, not the timestamps.
DROP INDEX incidents_declared;
CREATE INDEX incidents_declared ON incidents (declared_at)
  INCLUDE (severity, tta, ttm, ttr, updates_on_time, updates_missed) WHERE NOT drill;
