import type { Incident, Role, Status, StatusUpdate } from './incident.js';
import type { PagingNotice } from './paging-ports.js';
import type { TimelineEntry } from './timeline.js';

/** What a notice posts; the Slack adapter decides how it looks. */
export type Notice =
  | { kind: 'alert'; incident: Incident }
  | { kind: 'card'; incident: Incident }
  | { kind: 'update'; incident: Incident; update: StatusUpdate }
  | { kind: 'resolved'; incident: Incident }
  | { kind: 'status'; incident: Incident; status: Status; text: string | null; by: string }
  | { kind: 'severity'; incident: Incident; from: string; to: string; by: string }
  | { kind: 'role'; incident: Incident; role: Role; userId: string; by: string }
  /** The update reminder; `closed` once it was answered, replaced, snoozed or the incident resolved. */
  | { kind: 'reminder'; incident: Incident; due: string; since: readonly TimelineEntry[]; closed?: ReminderClosed }
  | { kind: 'escalation'; incident: Incident; step: number; notify: readonly string[]; afterMs: number }
  | { kind: 'snoozed'; incident: Incident; until: string; by: string }
  | { kind: 'acked'; incident: Incident; by: string }
  /** The war room opened on a retry, after the reply to the declarer had gone out (or was lost). */
  | { kind: 'room_ready'; incident: Incident }
  | (PagingNotice & { incident: Incident });

/** Why an update reminder is no longer live. */
export type ReminderClosed = 'answered' | 'replaced' | 'snoozed' | 'resolved';

/** Notice payloads stored with a `post` effect; the incident is read fresh when it runs. */
export type NoticePayload =
  | DistributiveOmit<Exclude<Notice, { kind: 'alert' | 'card' | 'reminder' }>, 'incident'>
  | { kind: 'reminder'; due: string };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
