/** Where run events are written down: the run's audit trail and its incident's timeline. */
import type { Clock } from '../incident/ports.js';
import type { Run } from './run.js';
import type { RunAudit, RunIncidents } from './run-ports.js';
import { untrusted } from './text.js';

/** What the journal writes to. */
export interface RunJournalDeps {
  readonly runs: RunAudit;
  readonly incidents: RunIncidents;
  readonly clock: Clock;
}

/** Records each run event in the audit table and on the incident timeline, as plain text. */
export function createRunJournal(deps: RunJournalDeps) {
  return async function record(
    run: Run,
    actor: string,
    event: string,
    text: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    const at = deps.clock.now();
    await deps.runs.audit(run, at, actor, event, detail);
    await deps.incidents.addTimeline(run.incidentId, {
      at,
      actor,
      kind: `runbook_${event}`,
      text: untrusted(`${run.id} ${run.playbook}: ${text}`, 600),
      data: { runId: run.id, ...detail },
    });
  };
}
