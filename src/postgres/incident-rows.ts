import type { Incident, Role, Status, StatusUpdate } from '../incident/incident.js';

/** An incident with its roles and last update; append a WHERE clause. */
export const SELECT_INCIDENT = `
  SELECT i.*,
    (SELECT json_object_agg(r.role, r.user_id) FROM incident_roles r WHERE r.incident_id = i.id) AS roles,
    (SELECT row_to_json(u) FROM (
       SELECT id, at, author, status, progress, next_steps, eta FROM status_updates s
       WHERE s.incident_id = i.id ORDER BY id DESC LIMIT 1) u) AS last_update
  FROM incidents i`;

export interface IncidentRow {
  id: string;
  severity: string;
  title: string;
  impact: string | null;
  services: string[];
  status: Status;
  declared_by: string;
  declared_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
  channel_id: string | null;
  channel_name: string | null;
  war_room_intent: string | null;
  card_ts: string | null;
  announce_channel: string | null;
  announce_ts: string | null;
  drill: boolean;
  next_update_due: Date | null;
  acked_at: Date | null;
  acked_by: string | null;
  escalated: string[];
  impact_started_at: Date | null;
  mitigated_at: Date | null;
  roles: Partial<Record<Role, string>> | null;
  last_update: {
    id: string;
    at: string;
    author: string;
    status: Status;
    progress: string;
    next_steps: string | null;
    eta: string | null;
  } | null;
}

/** The domain `Incident` of a `SELECT_INCIDENT` row. */
export function toIncident(row: IncidentRow): Incident {
  const u = row.last_update;
  const lastUpdate: StatusUpdate | null = u && {
    id: Number(u.id),
    at: new Date(u.at),
    author: u.author,
    status: u.status,
    progress: u.progress,
    nextSteps: u.next_steps,
    eta: u.eta,
  };
  return {
    id: row.id,
    severity: row.severity,
    title: row.title,
    impact: row.impact,
    services: row.services,
    status: row.status,
    declaredBy: row.declared_by,
    declaredAt: row.declared_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
    channelId: row.channel_id,
    channelName: row.channel_name,
    warRoomIntent: row.war_room_intent,
    cardTs: row.card_ts,
    announceChannel: row.announce_channel,
    announceTs: row.announce_ts,
    drill: row.drill,
    roles: row.roles ?? {},
    lastUpdate,
    nextUpdateDue: row.next_update_due,
    ackedAt: row.acked_at,
    ackedBy: row.acked_by,
    escalated: row.escalated,
    impactStartedAt: row.impact_started_at,
    mitigatedAt: row.mitigated_at,
  };
}
