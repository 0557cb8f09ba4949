/** What keeps runs moving without a person: expiry, incident changes, the sweep, start-up and Redis coming back. */
import type { Incident } from '../incident/incident.js';
import type { RunEngine, RunEngineDeps } from './engine.js';
import { incidentBlocks } from './guard.js';
import type { RunOutboxRunner } from './outbox.js';
import type { Run } from './run.js';
import type { RunOutboxQueries, RunQueries } from './run-ports.js';

/** What upkeep works with, besides the engine's. */
export interface RunUpkeepDeps extends RunEngineDeps {
  readonly runs: RunEngineDeps['runs'] & RunQueries;
  readonly outbox: RunEngineDeps['outbox'] & RunOutboxQueries;
}

/**
 * Expires requests the incident no longer allows or nobody answered, carries on due actions, marks
 * runs nothing carries on as interrupted, and puts every prompt back from Postgres.
 */
export function createRunUpkeep(deps: RunUpkeepDeps, engine: RunEngine, runner: RunOutboxRunner) {
  const { runs, incidents, clock } = deps;

  /** Expires what the incident no longer allows, or what is overdue; true when it did. */
  async function expireIfBlocked(run: Run, incident: Incident | undefined): Promise<boolean> {
    const blocked = incident ? incidentBlocks(engine.book(run.playbook), incident) : 'The incident no longer exists.';
    const now = clock.now();
    const due = !!run.expiresAt && run.expiresAt <= now;
    if (!blocked && !due) return false;
    if (await engine.expire(run, blocked)) await runner.drain(run.id);
    return true;
  }

  return {
    /** The expiry timer: an unanswered request expires and its buttons go. */
    async expire(runId: string): Promise<void> {
      const run = await runs.get(runId);
      if (run?.state === 'awaiting_approval') await expireIfBlocked(run, await incidents.get(run.incidentId));
    },

    /**
     * The incident changed (resolved, or its severity moved): requests it no longer allows expire
     * now, and their cards say why. Never throws: the sweep catches anything missed.
     */
    async incidentChanged(incident: Incident): Promise<void> {
      try {
        for (const run of await runs.awaiting(incident.id)) await expireIfBlocked(run, incident);
      } catch (err) {
        deps.log.warn(
          { err, incidentId: incident.id },
          'could not expire runs after an incident change; the sweep will',
        );
      }
    },

    /** Periodic safety net: due actions, overdue or disallowed requests, and runs nothing carries on. */
    async sweep(): Promise<void> {
      for (const id of await deps.outbox.due(clock.now())) await runner.drain(id);
      for (const run of await runs.awaiting()) await expireIfBlocked(run, await incidents.get(run.incidentId));
      for (const run of await runs.orphans()) {
        await engine.interrupt(run);
        await runner.drain(run.id);
      }
    },

    /** Start-up and Redis reconnects: puts every run's prompts back from Postgres. */
    async rebuild(): Promise<number> {
      const awaiting = await runs.awaiting();
      for (const run of awaiting) if (run.expiresAt) await deps.timers.expire(run.id, run.expiresAt);
      const scheduled = await deps.outbox.scheduled();
      for (const s of scheduled) await deps.timers.actions(s.runId, s.at);
      return awaiting.length + scheduled.length;
    },

    /** Start-up: runs left mid-step with nothing to carry them on are marked interrupted; due actions run. */
    async recover(): Promise<number> {
      const orphans = await runs.orphans();
      for (const run of orphans) await engine.interrupt(run);
      for (const id of await deps.outbox.due(clock.now())) await runner.drain(id);
      return orphans.length;
    },
  };
}
