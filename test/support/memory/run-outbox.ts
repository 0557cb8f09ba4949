import type { RunAction, RunActionKind, RunActionSpec, RunActionStatus } from '../../../src/runbook/run-actions.js';
import type { RunOutbox, RunOutboxQueries } from '../../../src/runbook/run-ports.js';
import type { ManualClock } from './clock.js';

/** One row of the outbox, as the `runbook_actions` table holds it. */
export interface StoredAction {
  readonly id: number;
  readonly runId: string;
  readonly spec: RunActionSpec;
  state: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  nextAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
}

/**
 * The run outbox in memory, with the Postgres store's rules: one pending card edit per run, a
 * claim is a lease that another replica may take once it lapses, a retried card edit that meets a
 * newer pending one is done, and the oldest due action of a run goes first.
 */
export class MemoryRunOutbox implements RunOutbox, RunOutboxQueries {
  readonly actions: StoredAction[] = [];

  constructor(
    private readonly clock: ManualClock,
    readonly leaseMs = 30_000,
  ) {}

  /** Stores actions for a run, due now (the run store calls this inside its state changes). */
  add(runId: string, specs: readonly RunActionSpec[]): void {
    for (const spec of specs) {
      if (spec.kind === 'card' && this.pendingCard(runId)) continue;
      const nextAt = this.clock.now();
      this.actions.push({
        id: this.actions.length + 1,
        runId,
        spec,
        state: 'pending',
        attempts: 0,
        nextAt,
        leaseUntil: null,
        lastError: null,
      });
    }
  }

  /** Marks an action done whatever its state (a state change that completes the action that made it). */
  settle(actionId: number): void {
    const a = this.row(actionId);
    a.state = 'done';
    a.leaseUntil = null;
  }

  /** The run's actions not yet done or failed. */
  open(runId: string): StoredAction[] {
    return this.actions.filter((a) => a.runId === runId && (a.state === 'pending' || a.state === 'running'));
  }

  async claim(runId: string, now: Date, kinds: readonly RunActionKind[]): Promise<RunAction | undefined> {
    const a = this.actions.find((x) => x.runId === runId && kinds.includes(x.spec.kind) && this.isDue(x, now));
    if (!a) return undefined;
    a.state = 'running';
    a.attempts += 1;
    a.leaseUntil = new Date(now.getTime() + this.leaseMs);
    return structuredClone({ id: a.id, runId: a.runId, spec: a.spec, attempts: a.attempts });
  }

  async extend(actionId: number, now: Date): Promise<void> {
    const a = this.row(actionId);
    if (a.state === 'running') a.leaseUntil = new Date(now.getTime() + this.leaseMs);
  }

  async complete(actionId: number): Promise<void> {
    const a = this.row(actionId);
    if (a.state === 'running') this.settle(actionId);
  }

  async retry(actionId: number, at: Date, error: string): Promise<void> {
    const a = this.row(actionId);
    if (a.spec.kind === 'card' && this.pendingCard(a.runId)) {
      a.state = 'done';
      a.lastError = 'superseded';
      return;
    }
    Object.assign(a, { state: 'pending', leaseUntil: null, nextAt: at, lastError: error });
  }

  async fail(actionId: number, error: string): Promise<void> {
    Object.assign(this.row(actionId), { state: 'failed', lastError: error, leaseUntil: null });
  }

  async due(now: Date): Promise<string[]> {
    return [...new Set(this.actions.filter((a) => this.isDue(a, now)).map((a) => a.runId))];
  }

  async scheduled(): Promise<{ runId: string; at: Date }[]> {
    const next = new Map<string, Date>();
    for (const a of this.actions) {
      if (a.state !== 'pending' && a.state !== 'running') continue;
      const at = a.state === 'pending' ? a.nextAt : a.leaseUntil!;
      const seen = next.get(a.runId);
      if (!seen || at < seen) next.set(a.runId, at);
    }
    return [...next].map(([runId, at]) => ({ runId, at }));
  }

  async status(runId: string, kind: RunActionKind): Promise<RunActionStatus | undefined> {
    const a = this.actions.findLast((x) => x.runId === runId && x.spec.kind === kind);
    return a && { state: a.state, lastError: a.lastError, nextAt: a.nextAt };
  }

  private isDue(a: StoredAction, now: Date): boolean {
    return (a.state === 'pending' && a.nextAt <= now) || (a.state === 'running' && a.leaseUntil! < now);
  }

  private pendingCard(runId: string): boolean {
    return this.actions.some((a) => a.runId === runId && a.spec.kind === 'card' && a.state === 'pending');
  }

  private row(actionId: number): StoredAction {
    const a = this.actions.find((x) => x.id === actionId);
    if (!a) throw new Error(`no run action ${actionId}`);
    return a;
  }
}
