import {
  ACTIVE_STATES,
  type NewRun,
  type Run,
  type RunChange,
  type RunMessages,
  type RunState,
} from '../../../src/runbook/run.js';
import type { RunActionSpec, TransitionOptions } from '../../../src/runbook/run-actions.js';
import type { RunAudit, RunQueries, RunStore } from '../../../src/runbook/run-ports.js';
import type { MemoryRunOutbox } from './run-outbox.js';

/** A row of the audit trail. */
export interface AuditEntry {
  readonly runId: string;
  readonly incidentId: string;
  readonly at: Date;
  readonly actor: string;
  readonly event: string;
  readonly detail: Record<string, unknown>;
}

type StoredRun = Run & { finishedAt: Date | null; key: string | null; holds: readonly string[] };

/** States that hold a run's targets: one run per target at a time (`runbook_one_active` and `runbook_holds`). */
const ACTIVE = ACTIVE_STATES;

/**
 * Runs in memory, with the Postgres store's rules: every state change is conditional (on the state,
 * the preview's token, the expiry) and stores its actions in the outbox at once; one active run per
 * target; a repeated request key finds the run it made. Reads hand out copies, as a database does.
 */
export class MemoryRunStore implements RunStore, RunQueries, RunAudit {
  readonly runs = new Map<string, StoredRun>();
  readonly trail: AuditEntry[] = [];

  constructor(private readonly outbox: MemoryRunOutbox) {}

  /** The run's audit events, in order. */
  events(runId: string): string[] {
    return this.trail.filter((e) => e.runId === runId).map((e) => e.event);
  }

  async create(
    run: NewRun,
    first: RunActionSpec,
    key: string | undefined,
  ): Promise<{ created: Run } | { busy: true } | { existing: Run }> {
    const seen = key ? [...this.runs.values()].find((r) => r.key === key) : undefined;
    if (seen) return { existing: copy(seen) };
    const holds = [...new Set([run.target, ...run.holds])];
    if (holds.some((t) => this.holder(t, run.id))) return { busy: true };
    const stored: StoredRun = {
      ...structuredClone(run),
      holds,
      preview: null,
      expiresAt: null,
      decidedBy: null,
      decidedAt: null,
      cardTs: null,
      progressTs: null,
      outcome: null,
      finishedAt: null,
      key: key ?? null,
    };
    this.runs.set(run.id, stored);
    this.outbox.add(run.id, [first]);
    return { created: copy(stored) };
  }

  async get(id: string): Promise<Run | undefined> {
    const r = this.runs.get(id);
    return r && copy(r);
  }

  async transition(
    id: string,
    from: readonly RunState[],
    to: RunState,
    change: RunChange,
    options: TransitionOptions = {},
  ): Promise<Run | undefined> {
    const r = this.runs.get(id);
    if (!r || !from.includes(r.state)) return undefined;
    if (options.token !== undefined && r.preview?.token !== options.token) return undefined;
    if (options.unexpiredAt && r.expiresAt && r.expiresAt <= options.unexpiredAt) return undefined;
    if (ACTIVE.includes(to) && r.holds.some((t) => this.holder(t, id)))
      throw new Error(`another run holds ${r.target}`);
    const next: StoredRun = {
      ...r,
      state: to,
      step: change.step ?? r.step,
      preview: change.preview ? structuredClone(change.preview) : r.preview,
      expiresAt: change.expiresAt ?? r.expiresAt,
      decidedBy: change.decidedBy ?? r.decidedBy,
      decidedAt: change.decidedAt ?? r.decidedAt,
      outcome: change.outcome ?? r.outcome,
      finishedAt: change.finished ?? r.finishedAt,
      cardTs: change.cardTs === null ? null : r.cardTs,
    };
    this.runs.set(id, next);
    this.outbox.add(id, structuredClone(options.actions ?? []));
    if (options.completes !== undefined) this.outbox.settle(options.completes);
    return copy(next);
  }

  async setMessages(id: string, messages: RunMessages): Promise<void> {
    const r = this.runs.get(id);
    if (!r) return;
    this.runs.set(id, {
      ...r,
      channel: messages.channel ?? r.channel,
      cardTs: messages.cardTs ?? r.cardTs,
      progressTs: messages.progressTs ?? r.progressTs,
    });
  }

  async audit(
    run: Pick<Run, 'id' | 'incidentId'>,
    at: Date,
    actor: string,
    event: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    this.trail.push({ runId: run.id, incidentId: run.incidentId, at, actor, event, detail: structuredClone(detail) });
  }

  async lastFinished(target: string): Promise<Date | null> {
    const done = [...this.runs.values()].filter(
      (r) => r.holds.includes(target) && (r.state === 'succeeded' || r.state === 'failed') && r.decidedBy !== null,
    );
    const times = done.flatMap((r) => (r.finishedAt ? [r.finishedAt.getTime()] : []));
    return times.length ? new Date(Math.max(...times)) : null;
  }

  async awaiting(incidentId?: string): Promise<Run[]> {
    return [...this.runs.values()]
      .filter((r) => r.state === 'awaiting_approval' && (incidentId === undefined || r.incidentId === incidentId))
      .sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime())
      .map(copy);
  }

  async orphans(): Promise<Run[]> {
    return [...this.runs.values()]
      .filter((r) => (r.state === 'running' || r.state === 'approved') && !this.outbox.open(r.id).length)
      .map(copy);
  }

  /** Another active run on `target`, if any. */
  private holder(target: string, except: string): StoredRun | undefined {
    return [...this.runs.values()].find((r) => r.id !== except && r.holds.includes(target) && ACTIVE.includes(r.state));
  }
}

function copy(r: StoredRun): Run {
  const { finishedAt: _finished, key: _key, holds: _holds, ...run } = structuredClone(r);
  return run;
}
