/** Types and pure rules of an incident. No I/O here. */

export const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type Status = (typeof STATUSES)[number];

export const ROLES = ['ic', 'lead', 'comms', 'scribe'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  ic: 'Incident commander',
  lead: 'Technical lead',
  comms: 'Communications lead',
  scribe: 'Scribe',
};

/** An incident as stored; Postgres is the source of truth. */
export interface Incident {
  readonly id: string;
  readonly severity: string;
  readonly title: string;
  readonly impact: string | null;
  readonly services: readonly string[];
  readonly status: Status;
  readonly declaredBy: string;
  readonly declaredAt: Date;
  readonly resolvedAt: Date | null;
  readonly resolution: string | null;
  readonly channelId: string | null;
  readonly channelName: string | null;
  /** The war-room name chosen before Slack was asked to create it (see `warRoomName`). */
  readonly warRoomIntent: string | null;
  readonly cardTs: string | null;
  readonly announceChannel: string | null;
  readonly announceTs: string | null;
  readonly drill: boolean;
  readonly roles: Readonly<Partial<Record<Role, string>>>;
  readonly lastUpdate: StatusUpdate | null;
  readonly nextUpdateDue: Date | null;
  readonly ackedAt: Date | null;
  readonly ackedBy: string | null;
  /** Escalation steps already fired, as `LEVEL/STEP` keys. */
  readonly escalated: readonly string[];
  readonly impactStartedAt: Date | null;
  /** The first time the incident reached `monitoring`. */
  readonly mitigatedAt: Date | null;
}

/** A posted status update (the INCIDENT UPDATE template's fields). */
export interface StatusUpdate {
  readonly id: number;
  readonly at: Date;
  readonly author: string;
  readonly status: Status;
  readonly progress: string;
  readonly nextSteps: string | null;
  readonly eta: string | null;
}

/** Who is acting: the Slack user ID, and the display name when known. */
export interface Actor {
  readonly userId: string;
  readonly name?: string;
}

/** The incident commander: whoever was named, else the declarer. */
export function commander(incident: Pick<Incident, 'roles' | 'declaredBy'>): string {
  return incident.roles.ic ?? incident.declaredBy;
}

/** `INC-YYYY-MMDD-NNN`, where NNN counts incidents per UTC day. */
export function formatIncidentId(at: Date, seq: number): string {
  const y = at.getUTCFullYear();
  const mmdd = `${pad(at.getUTCMonth() + 1, 2)}${pad(at.getUTCDate(), 2)}`;
  return `INC-${y}-${mmdd}-${pad(seq, 3)}`;
}

export const INCIDENT_ID = /^INC-\d{4}-\d{4}-\d{3,}$/i;

/** The UTC day an incident ID counts in, as `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

const CHANNEL_MAX = 80;

/**
 * A valid Slack channel name for the war room: lowercase Latin letters,
 * digits, `-` and `_`, at most 80 characters, always starting with the ID.
 * `attempt` > 1 adds a suffix for when the name is already taken.
 */
export function warRoomName(id: string, title: string, attempt = 1): string {
  const base = id.toLowerCase();
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = CHANNEL_MAX - base.length - suffix.length - 1;
  const trimmed = slug.slice(0, room).replace(/-+$/, '');
  return trimmed ? `${base}-${trimmed}${suffix}` : `${base}${suffix}`;
}

/** Clamps free text for a single Slack field. */
export function clampText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
