import type { Incident, Role, Status, StatusUpdate } from './incident.js';
import type { PagingEffect, PagingNotice } from './paging-ports.js';

/** The time, injected so tests can set it. */
export interface Clock {
  now(): Date;
}

/** A line on the incident's timeline: who did what, and when. */
export interface TimelineEntry {
  readonly at: Date;
  readonly actor: string;
  readonly kind: string;
  readonly text: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** The actor's display name, resolved when the entry was made. */
  readonly authorName?: string | null;
}

/** A timeline entry as read back, with what capture adds. */
export interface TimelineRecord extends TimelineEntry {
  readonly id: number;
  readonly permalink: string | null;
  readonly threadTs: string | null;
  readonly editedAt: Date | null;
  readonly deletedAt: Date | null;
}

/** What a notice posts; the Slack adapter decides how it looks. */
export type Notice =
  | { kind: 'alert'; incident: Incident }
  | { kind: 'card'; incident: Incident }
  | { kind: 'update'; incident: Incident; update: StatusUpdate }
  | { kind: 'resolved'; incident: Incident }
  | { kind: 'status'; incident: Incident; status: Status; text: string | null; by: string }
  | { kind: 'severity'; incident: Incident; from: string; to: string; by: string }
  | { kind: 'role'; incident: Incident; role: Role; userId: string; by: string }
  | { kind: 'reminder'; incident: Incident; due: string; since: readonly TimelineEntry[] }
  | { kind: 'escalation'; incident: Incident; step: number; notify: readonly string[]; afterMs: number }
  | { kind: 'snoozed'; incident: Incident; until: string; by: string }
  | { kind: 'acked'; incident: Incident; by: string }
  /** The war room opened on a retry, after the reply to the declarer had gone out (or was lost). */
  | { kind: 'room_ready'; incident: Incident }
  | (PagingNotice & { incident: Incident });

/** Why a Slack message is on the timeline. */
export type CaptureReason = { reactor: string } | { pinned: true } | { scribe: true };

/** A Slack message captured onto the timeline. */
export interface Capture {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | null;
  readonly userId: string;
  readonly authorName: string;
  readonly text: string;
  readonly permalink: string | null;
}

/** A follow-up action item. */
export interface Followup {
  readonly id: number;
  readonly text: string;
  readonly owner: string | null;
  readonly due: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** The record kept beside an incident: captured messages, follow-ups, reports. */
export interface RecordStore {
  /** Adds the capture, or adds `reason` to an existing one; `added` only the first time. */
  capture(incidentId: string, c: Capture, reason: CaptureReason): Promise<'added' | 'exists'>;
  /** Adds a reason to a message already captured; false when it is not on the timeline. */
  addReason(incidentId: string, channel: string, ts: string, reason: CaptureReason): Promise<boolean>;
  /** Drops one reactor; removes the entry when no reason is left. */
  release(incidentId: string, channel: string, ts: string, reactor: string): Promise<'removed' | 'kept' | 'absent'>;
  edited(incidentId: string, channel: string, ts: string, text: string, at: Date): Promise<boolean>;
  deleted(incidentId: string, channel: string, ts: string, at: Date): Promise<boolean>;
  /** At most `limit` entries in (time, ID) order, oldest first, wherever the query starts. */
  timelinePage(incidentId: string, query: TimelineQuery): Promise<TimelineRecord[]>;
  /** How many entries the timeline shows (removed captures left out). */
  timelineCount(incidentId: string): Promise<number>;
  /** At most `limit` follow-ups with an ID above `afterId`, in the order they were recorded. */
  followupsPage(incidentId: string, afterId: number, limit: number): Promise<Followup[]>;
  followupCount(incidentId: string): Promise<number>;
  updates(incidentId: string): Promise<StatusUpdate[]>;
  /**
   * Keeps a draft once per version: a draft whose fingerprint was stored before
   * is not stored again, and the earlier version comes back with `created: false`.
   */
  savePostmortem(incidentId: string, draft: PostmortemDraft, by: string, at: Date): Promise<PostmortemVersion>;
  setPostmortemFile(id: number, fileId: string): Promise<void>;
}

/**
 * A window of the timeline in (time, ID) order: after or before an entry,
 * named by its ID (the entry itself is left out; a null `afterId` starts at the
 * beginning), or at an offset, for a typed page number.
 */
export type TimelineQuery =
  | { readonly afterId: number | null; readonly limit: number }
  | { readonly beforeId: number; readonly limit: number }
  | { readonly offset: number; readonly limit: number };

/** A report draft and what identifies its content, whenever it was generated. */
export interface PostmortemDraft {
  readonly markdown: string;
  readonly fingerprint: string;
}

/** One stored version of an incident's report draft. */
export interface PostmortemVersion {
  readonly id: number;
  readonly version: number;
  readonly created: boolean;
  readonly createdAt: Date;
  readonly fileId: string | null;
}

/** Notice payloads stored with a `post` effect; the incident is read fresh when it runs. */
export type NoticePayload =
  | DistributiveOmit<Exclude<Notice, { kind: 'alert' | 'card' | 'reminder' }>, 'incident'>
  | { kind: 'reminder'; due: string };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A side effect recorded with the change that caused it and carried out after commit. */
export type EffectSpec =
  | { kind: 'war_room' }
  | { kind: 'announce' }
  | { kind: 'refresh' }
  | { kind: 'invite'; users: readonly string[] }
  | { kind: 'post'; target: 'room' | 'incidents'; notice: NoticePayload }
  /** A direct message to one user, or to each member of one user group. */
  | { kind: 'dm'; to: string; notice: NoticePayload }
  | PagingEffect;

/** A claimed effect, ready to run. */
export interface Effect {
  readonly id: number;
  readonly incidentId: string;
  readonly spec: EffectSpec;
  readonly attempts: number;
  /** An earlier attempt may have done the work (its answer was lost, or its process died mid-call). */
  readonly unsure: boolean;
}

/** The changes one command makes, applied atomically with its timeline and effects. */
export interface Mutation {
  readonly patch?: Partial<
    Pick<
      Incident,
      | 'severity'
      | 'status'
      | 'resolvedAt'
      | 'resolution'
      | 'nextUpdateDue'
      | 'ackedAt'
      | 'ackedBy'
      | 'impactStartedAt'
      | 'mitigatedAt'
    >
  >;
  readonly role?: { role: Role; userId: string };
  readonly update?: Omit<StatusUpdate, 'id'> & { nextDue: Date; dueAt: Date | null };
  /** An escalation step fired by this change (`LEVEL/STEP`). */
  readonly escalated?: string;
  /** A follow-up recorded with the change, in the same transaction. */
  readonly followup?: Omit<Followup, 'id'>;
  readonly timeline: readonly TimelineEntry[];
  readonly effects: readonly EffectSpec[];
}

export interface NewIncident {
  readonly severity: string;
  readonly title: string;
  readonly impact: string | null;
  readonly services: readonly string[];
  readonly declaredBy: string;
  readonly declaredAt: Date;
  readonly drill: boolean;
  readonly nextUpdateDue: Date;
}

/**
 * Incident persistence. Every write is one transaction; an idempotency key
 * that was seen before makes the write a no-op that returns the incident.
 */
export interface IncidentStore {
  declare(
    input: NewIncident,
    idempotencyKey: string | undefined,
    build: (id: string) => { timeline: readonly TimelineEntry[]; effects: readonly EffectSpec[] },
  ): Promise<{ incident: Incident; created: boolean }>;
  get(id: string): Promise<Incident | undefined>;
  findByChannel(channelId: string): Promise<Incident | undefined>;
  /** Locks the incident, lets `decide` build the mutation (or throw), and applies it. */
  mutate(
    id: string,
    idempotencyKey: string | undefined,
    decide: (incident: Incident) => Mutation,
  ): Promise<{ incident: Incident; applied: boolean }>;
  addTimeline(incidentId: string, entry: TimelineEntry): Promise<void>;
  /** Timeline entries after `since`, oldest first. */
  timelineSince(incidentId: string, since: Date): Promise<TimelineEntry[]>;
  /** Records the war room; false when the incident already has one. */
  setChannel(incidentId: string, channelId: string, name: string): Promise<boolean>;
  /** Records the name the war room is about to be created with, before asking Slack for it. */
  setWarRoomIntent(incidentId: string, name: string): Promise<void>;
  setCard(incidentId: string, ts: string): Promise<void>;
  setAnnouncement(incidentId: string, channel: string, ts: string): Promise<void>;
  /** Claims the oldest due effect of the incident that can run now; undefined when none. */
  claimEffect(incidentId: string, now: Date): Promise<Effect | undefined>;
  completeEffect(effectId: number): Promise<void>;
  /** Back to pending until `at`; `unsure` (sticky) says the failed attempt may have done the work. */
  retryEffect(effectId: number, at: Date, error: string, unsure: boolean): Promise<void>;
  /** Extends the leases of effects still being worked on (they wait on Slack's rate limits). */
  renewEffects(effectIds: readonly number[], now: Date): Promise<void>;
  failEffect(effectId: number, error: string): Promise<void>;
  /** Puts the effect back until `at` without counting the attempt (it waits on another effect). */
  deferEffect(effectId: number, at: Date): Promise<void>;
  /** Makes the incident's pending war-room posts (and pages waiting to link to it) due at `now`: the room is open. */
  wakeRoomPosts(incidentId: string, now: Date): Promise<void>;
  /** Incidents with effects due now (for the sweep and start-up). */
  incidentsWithDueEffects(now: Date): Promise<string[]>;
}

/**
 * Why a chat call failed, as the domain needs to know it. `ambiguous` means
 * the call may have taken effect anyway (the answer was lost on the way).
 */
export class ChatFailure extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly ambiguous = false,
  ) {
    super(`Slack: ${code}`);
    this.name = 'ChatFailure';
  }
}

/** The chat workspace. Methods throw `ChatFailure`. */
export interface Chat {
  /** Creates a public channel; a name in use fails with `name_taken`. */
  createChannel(name: string): Promise<{ id: string; name: string }>;
  /** The channel of that name, archived or not, and whether this app created it (to adopt after a lost answer). */
  findChannel(name: string): Promise<{ id: string; name: string; createdByUs: boolean; archived: boolean } | undefined>;
  /** Invites users, expanding user groups; people already there are fine. */
  invite(channelId: string, userOrGroupIds: readonly string[]): Promise<void>;
  setTopic(channelId: string, topic: string): Promise<void>;
  /**
   * Posts a notice. With a `key`, the message carries it, and a retry that
   * passes `retry: true` first looks for a message with that key and posts
   * only if there is none: a crash between posting and recording cannot
   * post twice.
   */
  post(
    channel: string,
    notice: Notice,
    once?: { key: string; retry: boolean },
  ): Promise<{ channel: string; ts: string }>;
  /** Direct-messages a user, or each member of a user group; `once` as for `post`. */
  dm(userOrGroupId: string, notice: Notice, once?: { key: string; retry: boolean }): Promise<void>;
  edit(channel: string, ts: string, notice: Notice): Promise<void>;
  pin(channel: string, ts: string): Promise<void>;
}

/** A Slack message as capture needs it. */
export interface SourceMessage {
  readonly userId: string;
  readonly text: string;
  readonly threadTs: string | null;
  /** Set when a bot (the app itself included) posted it. */
  readonly botId: string | null;
}

/** The workspace facts capture and reports need; all read-only. */
export interface Directory {
  fetchMessage(channel: string, ts: string): Promise<SourceMessage | undefined>;
  /** Display name (falls back to real name, then handle); cached by the adapter. */
  displayName(userId: string): Promise<string>;
  permalink(channel: string, ts: string): Promise<string | null>;
  /** The user's offset from UTC in seconds (Slack's `tz_offset`). */
  tzOffset(userId: string): Promise<number>;
  /** Uploads a text file to a channel; returns the file ID. */
  upload(channel: string, file: { filename: string; title: string; content: string; comment: string }): Promise<string>;
}

/** Durable timers. Scheduling the same thing twice is harmless. */
export interface Timers {
  /** Asks for the incident's pending effects to be run again at `at`. */
  retryEffects(incidentId: string, at: Date): Promise<void>;
  /** Prompts a check of the update clock when it falls due at `due`. */
  updateDue(incidentId: string, due: Date): Promise<void>;
  /** Prompts a check of escalation step `step` of `level` at `at`. */
  escalationDue(incidentId: string, level: string, step: number, at: Date): Promise<void>;
}

/** An escalation step of the policy, as the sweep asks Postgres about it; `key` is what firing it records. */
export interface StepDue {
  readonly level: string;
  readonly key: string;
  readonly afterMs: number;
}

/** Reads over open incidents that cost what they return, not what the history holds. */
export interface OpenIncidents {
  /** At most `limit` open incidents, newest first, after the one with ID `afterId` (from the newest when null). */
  page(afterId: string | null, limit: number): Promise<Incident[]>;
  /** Open incidents per severity level. */
  countBySeverity(): Promise<ReadonlyMap<string, number>>;
  /**
   * IDs above `afterId` of open incidents whose update clock fell due by
   * `cutoff`, or that are unacknowledged with one of `steps` of their level
   * due by `cutoff` and not yet fired; at most `limit`, in ID order.
   */
  due(cutoff: Date, steps: readonly StepDue[], afterId: string, limit: number): Promise<string[]>;
}

/** Median and 90th percentile of a duration, in milliseconds; null without data. */
export interface Spread {
  readonly median: number | null;
  readonly p90: number | null;
}

/** Lifecycle figures of one severity over a window, computed where the data is. */
export interface SeverityFigures {
  readonly severity: string;
  readonly count: number;
  readonly mtta: Spread;
  readonly mttm: Spread;
  readonly mttr: Spread;
  readonly updatesOnTime: number;
  readonly updatesMissed: number;
}

/** Incident metrics, read from indexes. */
export interface StatsStore {
  /** Per severity that has incidents declared since `since`, drills left out. */
  severityStats(since: Date): Promise<SeverityFigures[]>;
}

/** What retention deletes from Postgres. */
export type PurgeKind = 'idempotency_keys' | 'finished_effects' | 'pages' | 'alert_groups' | 'alert_digests';

/** Bounded deletes: each call removes at most `limit` rows that were finished or made before `before`. */
export interface RetentionStore {
  purge(kind: PurgeKind, before: Date, limit: number): Promise<number>;
}

/** The job records the queue keeps after a job ends. */
export interface JobRecords {
  /** Removes at most `limit` records of jobs that ended before `before`. */
  purge(before: Date, limit: number): Promise<number>;
}

/**
 * Told after a change to an incident is committed, so the parts that depend on the incident's
 * state (runbook requests that need it open at a severity) can react. Implementations never throw:
 * the change is made whatever they do.
 */
export interface IncidentObserver {
  changed(incident: Incident): Promise<void>;
}
