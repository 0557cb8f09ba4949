import type { AlertTimers } from '../alerts/ports.js';
import type { Timers } from '../incident/ports.js';
import type { RunTimers } from '../runbook/run-ports.js';
import type { Prompt } from './payloads.js';

/**
 * The domain's timer ports as BullMQ prompts. Each job ID is deterministic, so
 * scheduling the same prompt twice is harmless.
 */
export function createTimers(prompt: Prompt) {
  const timers: Timers = {
    retryEffects: (incidentId, at) => prompt('effects', `effects-${incidentId}-${at.getTime()}`, { incidentId }, at),
    updateDue: (incidentId, due) =>
      prompt('update', `update-${incidentId}-${due.getTime()}`, { incidentId, dueMs: due.getTime() }, due),
    escalationDue: (incidentId, level, step, at) =>
      prompt('escalate', `esc-${incidentId}-${level}-${step}`, { incidentId, level, step }, at),
  };
  const runTimers: RunTimers = {
    actions: (runId, at) => prompt('run-actions', `run-${runId}-${at.getTime()}`, { runId }, at),
    expire: (runId, at) => prompt('run-expire', `expire-${runId}-${at.getTime()}`, { runId }, at),
  };
  const alertTimers: AlertTimers = {
    publish: (at) => prompt('alerts', `alerts-${at.getTime()}`, {}, at),
  };
  return { timers, runTimers, alertTimers };
}
