/** Where run events are written down: the run's audit trail and its incident's timeline. */
import type { Clock } from '../incident/ports.js';
import type { TimelineEntry } from '../incident/timeline.js';
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

/** Longest text of an observation on the timeline: a few tables. */
const OBSERVATION_CHARS = 6000;

/**
 * What a diagnostic step saw, as a timeline entry of its own so the postmortem shows it: plain
 * text, one table row a line (each line made plain by `untrusted`), clamped as a whole.
 */
export function observation(
  run: Run,
  at: Date,
  step: number,
  heading: string,
  lines: readonly string[],
): TimelineEntry {
  const kept: string[] = [`${run.id} ${run.playbook}: ${untrusted(heading)}`];
  let size = kept[0]!.length;
  for (const [n, line] of lines.entries()) {
    const plain = untrusted(line, 400);
    if (size + plain.length + 1 > OBSERVATION_CHARS) {
      kept.push(`… ${lines.length - n} more lines`);
      break;
    }
    kept.push(plain);
    size += plain.length + 1;
  }
  return { at, actor: 'firebreak', kind: 'runbook_observed', text: kept.join('\n'), data: { runId: run.id, step } };
}
