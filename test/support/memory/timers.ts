import type { Timers } from '../../../src/incident/ports.js';
import type { RunTimers } from '../../../src/runbook/run-ports.js';

/** A prompt the code asked for: carry on the run's actions, or expire its request, at `at`. */
export interface Prompt {
  readonly kind: 'actions' | 'expire';
  readonly runId: string;
  readonly at: Date;
}

/**
 * Run timers the test fires by hand: prompts are kept until `take` hands over those due. With
 * `down`, scheduling throws as the queue does when Redis is away.
 */
export class ManualRunTimers implements RunTimers {
  readonly prompts: Prompt[] = [];
  down = false;

  async actions(runId: string, at: Date): Promise<void> {
    this.schedule({ kind: 'actions', runId, at });
  }

  async expire(runId: string, at: Date): Promise<void> {
    this.schedule({ kind: 'expire', runId, at });
  }

  /** Removes and returns the prompts due at `now`, earliest first. */
  take(now: Date): Prompt[] {
    const due = this.prompts.filter((p) => p.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const p of due) this.prompts.splice(this.prompts.indexOf(p), 1);
    return due;
  }

  private schedule(prompt: Prompt): void {
    if (this.down) throw new Error('Connection is closed.');
    // A job ID is made of the run and the time, so the same prompt twice is one job.
    const same = (p: Prompt) => p.kind === prompt.kind && p.runId === prompt.runId && +p.at === +prompt.at;
    if (!this.prompts.some(same)) this.prompts.push(prompt);
  }
}

/** A prompt of the incident clocks: retry effects, check the update clock, or check an escalation step. */
export type IncidentPrompt =
  | { readonly kind: 'effects'; readonly incidentId: string; readonly at: Date }
  | { readonly kind: 'update'; readonly incidentId: string; readonly at: Date }
  | {
      readonly kind: 'escalation';
      readonly incidentId: string;
      readonly at: Date;
      readonly level: string;
      readonly step: number;
    };

/** The incident timers as prompts the test fires by hand; the same prompt twice is one, as with job IDs. */
export class ManualTimers implements Timers {
  readonly prompts: IncidentPrompt[] = [];

  async retryEffects(incidentId: string, at: Date): Promise<void> {
    this.schedule({ kind: 'effects', incidentId, at });
  }

  async updateDue(incidentId: string, due: Date): Promise<void> {
    this.schedule({ kind: 'update', incidentId, at: due });
  }

  async escalationDue(incidentId: string, level: string, step: number, at: Date): Promise<void> {
    this.schedule({ kind: 'escalation', incidentId, at, level, step });
  }

  /** Removes and returns the prompts due at `now`, earliest first. */
  take(now: Date): IncidentPrompt[] {
    const due = this.prompts.filter((p) => p.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const p of due) this.prompts.splice(this.prompts.indexOf(p), 1);
    return due;
  }

  private schedule(prompt: IncidentPrompt): void {
    const same = (p: IncidentPrompt) => JSON.stringify(p) === JSON.stringify(prompt);
    if (!this.prompts.some(same)) this.prompts.push(prompt);
  }
}
