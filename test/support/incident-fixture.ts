import type { Incident } from '../../src/incident/incident.js';

/** An open P1 incident declared by `U0DECLARER` (its IC until someone else is named), with `changes` applied. */
export function anIncident(changes: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-2026-1122-001',
    severity: 'P1',
    title: 'Auth down',
    impact: null,
    services: [],
    status: 'investigating',
    declaredBy: 'U0DECLARER',
    declaredAt: new Date('2026-11-22T14:05:00Z'),
    resolvedAt: null,
    resolution: null,
    channelId: null,
    channelName: null,
    warRoomIntent: null,
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
