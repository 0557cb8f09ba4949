import type { Incident } from '../../../src/incident/incident.js';
import type { RunIncidents } from '../../../src/runbook/run-ports.js';
import { anIncident } from '../incident-fixture.js';

type TimelineEntry = Parameters<RunIncidents['addTimeline']>[1];

/** The incident of the runbook tests: an open P1 whose war room is `C0WARROOM1`, with `changes` applied. */
export const openIncident = (changes: Partial<Incident> = {}): Incident =>
  anIncident({ title: 'Checkout slow', channelId: 'C0WARROOM1', channelName: 'inc-checkout-slow', ...changes });

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
