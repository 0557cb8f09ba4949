import type { Incident } from '../../../src/incident/incident.js';
import type { RunIncidents } from '../../../src/runbook/run-ports.js';

type TimelineEntry = Parameters<RunIncidents['addTimeline']>[1];

/** An open P1 incident declared by `U0DECLARER` (its IC until someone else is named), with `changes` applied. */
export function openIncident(changes: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-2026-0101-001',
    severity: 'P1',
    title: 'Checkout slow',
    impact: null,
    services: [],
    status: 'investigating',
    declaredBy: 'U0DECLARER',
    declaredAt: new Date('2026-01-01T00:00:00Z'),
    resolvedAt: null,
    resolution: null,
    channelId: 'C0WARROOM1',
    channelName: 'inc-checkout-slow',
    cardTs: null,
    announceChannel: null,
    announceTs: null,
    drill: false,
    roles: {},
    lastUpdate: null,
    nextUpdateDue: null,
    ackedAt: null,
    ackedBy: null,
    escalated: [],
    impactStartedAt: null,
    mitigatedAt: null,
    ...changes,
  };
}

/** The incidents runs belong to, in memory: a test sets them and reads the timeline runs wrote. */
export class MemoryRunIncidents implements RunIncidents {
  readonly incidents = new Map<string, Incident>();
  readonly timeline: { incidentId: string; entry: TimelineEntry }[] = [];

  put(incident: Incident): Incident {
    this.incidents.set(incident.id, incident);
    return incident;
  }

  /** Changes the incident as a command would (resolve, severity, roles). */
  update(id: string, changes: Partial<Incident>): Incident {
    return this.put({ ...this.incidents.get(id)!, ...changes });
  }

  /** Kinds of the timeline entries of the incident, in order. */
  kinds(incidentId: string): string[] {
    return this.timeline.filter((t) => t.incidentId === incidentId).map((t) => t.entry.kind);
  }

  async get(id: string): Promise<Incident | undefined> {
    return this.incidents.get(id);
  }

  async addTimeline(incidentId: string, entry: TimelineEntry): Promise<void> {
    this.timeline.push({ incidentId, entry });
  }
}
