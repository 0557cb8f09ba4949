import { formatIncidentId, type Incident, utcDay } from '../../../src/incident/incident.js';
import type { Mutation, NewIncident } from '../../../src/incident/mutation.js';
import type { IncidentStore, OpenIncidents, StepDue } from '../../../src/incident/ports.js';
import type { TimelineEntry } from '../../../src/incident/timeline.js';
import { anIncident } from '../incident-fixture.js';
import type { MemoryEffectOutbox } from './effect-outbox.js';

/**
 * Incidents in memory, with the Postgres store's rules: a change and its
 * timeline and effects land together or not at all (`decide` throwing leaves
 * nothing), a repeated idempotency key is a no-op, patches keep what they do
 * not set, and the war room is recorded once. Also the open-incident reads.
 */
export class MemoryIncidentStore implements IncidentStore, OpenIncidents {
  readonly incidents = new Map<string, Incident>();
  readonly timelines = new Map<string, TimelineEntry[]>();
  readonly #keys = new Map<string, string | null>();
  readonly #days = new Map<string, number>();
  #updates = 0;

  constructor(readonly outbox: MemoryEffectOutbox) {}

  /** The incident's timeline, oldest first. */
  timeline(id: string): TimelineEntry[] {
    return this.timelines.get(id) ?? [];
  }

  async declare(
    input: NewIncident,
    key: string | undefined,
    build: (id: string) => { timeline: readonly TimelineEntry[]; effects: Mutation['effects'] },
  ): Promise<{ incident: Incident; created: boolean }> {
    const seen = key && this.#keys.get(key);
    if (seen) return { incident: this.incidents.get(seen)!, created: false };
    const day = utcDay(input.declaredAt);
    const seq = (this.#days.get(day) ?? 0) + 1;
    const id = formatIncidentId(input.declaredAt, seq);
    const built = build(id);
    this.#days.set(day, seq);
    if (key) this.#keys.set(key, id);
    this.incidents.set(
      id,
      anIncident({
        id,
        severity: input.severity,
        title: input.title,
        impact: input.impact,
        services: [...input.services],
        declaredBy: input.declaredBy,
        declaredAt: input.declaredAt,
        drill: input.drill,
        nextUpdateDue: input.nextUpdateDue,
      }),
    );
    this.timelines.set(id, [...built.timeline]);
    this.outbox.add(id, built.effects, input.declaredAt);
    return { incident: this.incidents.get(id)!, created: true };
  }

  async get(id: string): Promise<Incident | undefined> {
    return this.incidents.get(id);
  }

  async findByChannel(channelId: string): Promise<Incident | undefined> {
    return [...this.incidents.values()].find((i) => i.channelId === channelId);
  }

  async mutate(
    id: string,
    key: string | undefined,
    decide: (incident: Incident) => Mutation,
  ): Promise<{ incident: Incident; applied: boolean }> {
    const current = this.incidents.get(id);
    if (!current) throw new Error(`incident ${id} not found`);
    if (key && this.#keys.has(key)) return { incident: current, applied: false };
    const m = decide(current);
    if (key) this.#keys.set(key, id);
    const p = m.patch ?? {};
    const at = m.timeline[0]?.at ?? new Date();
    const next: Incident = {
      ...current,
      severity: p.severity ?? current.severity,
      status: p.status ?? current.status,
      resolvedAt: p.resolvedAt ?? current.resolvedAt,
      resolution: p.resolution ?? current.resolution,
      nextUpdateDue: m.update?.nextDue ?? p.nextUpdateDue ?? current.nextUpdateDue,
      ackedAt: p.ackedAt ?? current.ackedAt,
      ackedBy: p.ackedBy ?? current.ackedBy,
      impactStartedAt: p.impactStartedAt ?? current.impactStartedAt,
      mitigatedAt: current.mitigatedAt ?? p.mitigatedAt ?? null,
      escalated: m.escalated ? [...current.escalated, m.escalated] : current.escalated,
      roles: m.role ? { ...current.roles, [m.role.role]: m.role.userId } : current.roles,
      lastUpdate: m.update
        ? {
            id: ++this.#updates,
            at: m.update.at,
            author: m.update.author,
            status: m.update.status,
            progress: m.update.progress,
            nextSteps: m.update.nextSteps,
            eta: m.update.eta,
          }
        : current.lastUpdate,
    };
    this.incidents.set(id, next);
    this.timelines.get(id)!.push(...m.timeline);
    this.outbox.add(id, m.effects, at);
    return { incident: next, applied: true };
  }

  async addTimeline(incidentId: string, entry: TimelineEntry): Promise<void> {
    this.timelines.get(incidentId)?.push(entry);
  }

  async timelineSince(incidentId: string, since: Date): Promise<TimelineEntry[]> {
    return this.timeline(incidentId)
      .filter((e) => e.at > since)
      .slice(0, 200);
  }

  async setChannel(incidentId: string, channelId: string, name: string): Promise<boolean> {
    const i = this.incidents.get(incidentId)!;
    if (i.channelId) return false;
    this.incidents.set(incidentId, { ...i, channelId, channelName: name });
    return true;
  }

  async setWarRoomIntent(incidentId: string, name: string): Promise<void> {
    this.patch(incidentId, { warRoomIntent: name });
  }

  async setCard(incidentId: string, ts: string): Promise<void> {
    this.patch(incidentId, { cardTs: ts });
  }

  async setAnnouncement(incidentId: string, channel: string, ts: string): Promise<void> {
    this.patch(incidentId, { announceChannel: channel, announceTs: ts });
  }

  async page(afterId: string | null, limit: number): Promise<Incident[]> {
    const open = [...this.incidents.values()]
      .filter((i) => i.status !== 'resolved')
      .sort((a, b) => b.declaredAt.getTime() - a.declaredAt.getTime() || b.id.localeCompare(a.id));
    const from = afterId ? open.findIndex((i) => i.id === afterId) + 1 : 0;
    return open.slice(from, from + limit);
  }

  async countBySeverity(): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>();
    for (const i of this.incidents.values())
      if (i.status !== 'resolved') counts.set(i.severity, (counts.get(i.severity) ?? 0) + 1);
    return counts;
  }

  async due(cutoff: Date, steps: readonly StepDue[], afterId: string, limit: number): Promise<string[]> {
    const stepDue = (i: Incident) =>
      !i.ackedAt &&
      steps.some(
        (s) =>
          s.level === i.severity &&
          !i.escalated.includes(s.key) &&
          i.declaredAt.getTime() + s.afterMs <= cutoff.getTime(),
      );
    return [...this.incidents.values()]
      .filter((i) => i.status !== 'resolved' && i.id > afterId)
      .filter((i) => (i.nextUpdateDue && i.nextUpdateDue <= cutoff) || stepDue(i))
      .map((i) => i.id)
      .sort()
      .slice(0, limit);
  }

  private patch(id: string, changes: Partial<Incident>): void {
    this.incidents.set(id, { ...this.incidents.get(id)!, ...changes });
  }
}
