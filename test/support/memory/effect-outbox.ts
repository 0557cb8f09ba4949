import type { Effect, EffectSpec } from '../../../src/incident/effect-spec.js';
import { effectPriority } from '../../../src/incident/importance.js';
import type { EffectOutbox } from '../../../src/incident/ports.js';

/** An effect as the outbox keeps it. */
export interface StoredEffect {
  readonly id: number;
  readonly incidentId: string;
  readonly spec: EffectSpec;
  readonly priority: number;
  state: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  unsure: boolean;
  nextAt: Date;
  leaseUntil: Date | null;
  lastError: string | null;
}

/**
 * The effect outbox in memory, with the Postgres store's rules: claims in
 * (priority, ID) order, leases that lapse (a lapsed lease makes the retry
 * unsure), one pending refresh per incident (a second is dropped, a requeued
 * one superseded).
 */
export class MemoryEffectOutbox implements EffectOutbox {
  readonly effects: StoredEffect[] = [];
  #seq = 0;

  constructor(private readonly leaseMs = 60_000) {}

  /** Records effects as a committed change does. */
  add(incidentId: string, specs: readonly EffectSpec[], now: Date): void {
    for (const spec of specs) {
      if (spec.kind === 'refresh' && this.pendingRefresh(incidentId)) continue;
      this.effects.push({
        id: ++this.#seq,
        incidentId,
        spec,
        priority: effectPriority(spec),
        state: 'pending',
        attempts: 0,
        unsure: false,
        nextAt: now,
        leaseUntil: null,
        lastError: null,
      });
    }
  }

  /** The incident's effects in the state given, oldest first. */
  of(incidentId: string, state?: StoredEffect['state']): StoredEffect[] {
    return this.effects.filter((e) => e.incidentId === incidentId && (!state || e.state === state));
  }

  async claim(incidentId: string, now: Date): Promise<Effect | undefined> {
    const due = this.effects
      .filter((e) => e.incidentId === incidentId && this.claimable(e, now))
      .sort((a, b) => a.priority - b.priority || a.id - b.id)[0];
    if (!due) return undefined;
    due.unsure ||= due.state === 'running';
    due.state = 'running';
    due.attempts += 1;
    due.leaseUntil = new Date(now.getTime() + this.leaseMs);
    return { id: due.id, incidentId, spec: due.spec, attempts: due.attempts, unsure: due.unsure };
  }

  async complete(effectId: number): Promise<void> {
    const e = this.get(effectId);
    e.state = 'done';
    e.leaseUntil = null;
  }

  async retry(effectId: number, at: Date, error: string, unsure: boolean): Promise<void> {
    const e = this.requeue(effectId);
    if (!e) return;
    e.nextAt = at;
    e.lastError = error;
    e.unsure ||= unsure;
  }

  async renew(effectIds: readonly number[], now: Date): Promise<void> {
    for (const e of this.effects)
      if (effectIds.includes(e.id) && e.state === 'running') e.leaseUntil = new Date(now.getTime() + this.leaseMs);
  }

  async fail(effectId: number, error: string): Promise<void> {
    const e = this.get(effectId);
    e.state = 'failed';
    e.lastError = error;
    e.leaseUntil = null;
  }

  async defer(effectId: number, at: Date): Promise<void> {
    const e = this.requeue(effectId);
    if (!e) return;
    e.nextAt = at;
    e.attempts -= 1;
  }

  async wakeRoomPosts(incidentId: string, now: Date): Promise<void> {
    for (const e of this.of(incidentId, 'pending')) {
      const roomPost = e.spec.kind === 'post' && e.spec.target === 'room';
      if (e.nextAt > now && (roomPost || e.spec.kind === 'page' || e.spec.kind === 'oncall')) e.nextAt = now;
    }
  }

  async incidentsWithDue(now: Date): Promise<string[]> {
    return [...new Set(this.effects.filter((e) => this.claimable(e, now)).map((e) => e.incidentId))];
  }

  private claimable(e: StoredEffect, now: Date): boolean {
    return (e.state === 'pending' && e.nextAt <= now) || (e.state === 'running' && e.leaseUntil! < now);
  }

  private pendingRefresh(incidentId: string): boolean {
    return this.effects.some((e) => e.incidentId === incidentId && e.spec.kind === 'refresh' && e.state === 'pending');
  }

  /** Back to pending; a refresh with a newer pending one beside it is done instead (superseded). */
  private requeue(effectId: number): StoredEffect | undefined {
    const e = this.get(effectId);
    e.leaseUntil = null;
    if (e.spec.kind === 'refresh' && this.pendingRefresh(e.incidentId)) {
      e.state = 'done';
      e.lastError = 'superseded';
      return undefined;
    }
    e.state = 'pending';
    return e;
  }

  private get(effectId: number): StoredEffect {
    const e = this.effects.find((x) => x.id === effectId);
    if (!e) throw new Error(`no effect ${effectId}`);
    return e;
  }
}
