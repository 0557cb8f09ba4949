import type { Effect, EffectSpec } from './effect-spec.js';
import type { Incident, StatusUpdate } from './incident.js';
import type { Mutation, NewIncident } from './mutation.js';
import type { Notice } from './notice.js';
import type {
  Capture,
  CaptureReason,
  Followup,
  PostmortemDraft,
  PostmortemVersion,
  SourceMessage,
} from './record-items.js';
import type { SeverityFigures } from './stats.js';
import type { TimelineEntry, TimelineQuery, TimelineRecord } from './timeline.js';

/** The time, injected so tests can set it. */
export interface Clock {
  now(): Date;
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
}

/**
 * The effect outbox: effects recorded with a change wait here until they are
 * carried out. A claimed effect is leased, so one whose process died is taken
 * up again; every call is one statement.
 */
export interface EffectOutbox {
  /** Claims the oldest due effect of the incident that can run now; undefined when none. */
  claim(incidentId: string, now: Date): Promise<Effect | undefined>;
  complete(effectId: number): Promise<void>;
  /** Back to pending until `at`; `unsure` (sticky) says the failed attempt may have done the work. */
  retry(effectId: number, at: Date, error: string, unsure: boolean): Promise<void>;
  /** Extends the leases of effects still being worked on (they wait on Slack's rate limits). */
  renew(effectIds: readonly number[], now: Date): Promise<void>;
  fail(effectId: number, error: string): Promise<void>;
  /** Puts the effect back until `at` without counting the attempt (it waits on another effect). */
  defer(effectId: number, at: Date): Promise<void>;
  /** Makes the incident's pending war-room posts (and pages waiting to link to it) due at `now`: the room is open. */
  wakeRoomPosts(incidentId: string, now: Date): Promise<void>;
  /** Incidents with effects due now (for the sweep and start-up). */
  incidentsWithDue(now: Date): Promise<string[]>;
}

/** The chat workspace. Methods throw `ChatFailure`. */
export interface Chat {
  /** Creates a public channel; a name in use fails with `name_taken`. */
  createChannel(name: string): Promise<{ id: string; name: string }>;
  /** The channel of that name, archived or not, and whether this app created it (to adopt after a lost answer). */
  findChannel(name: string): Promise<{ id: string; name: string; createdByUs: boolean; archived: boolean } | undefined>;
  /** Invites users, expanding user groups; people already there are fine. */
  invite(channelId: string, userOrGroupIds: readonly string[]): Promise<void>;
  /** Shows the incident's level, status, IC and title as the channel topic (set only when it changes). */
  setTopic(channelId: string, incident: Incident): Promise<void>;
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
  /** Direct-messages a user, or each member of a user group; `once` as for `post`. Resolves with each message. */
  dm(
    userOrGroupId: string,
    notice: Notice,
    once?: { key: string; retry: boolean },
  ): Promise<{ channel: string; ts: string }[]>;
  /** Shows the notice in place of the message; an edit that would change nothing is not sent. */
  edit(channel: string, ts: string, notice: Notice): Promise<void>;
  pin(channel: string, ts: string): Promise<void>;
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

/** Incident metrics, read from indexes. */
export interface StatsStore {
  /** Per severity that has incidents declared since `since`, drills left out. */
  severityStats(since: Date): Promise<SeverityFigures[]>;
}

/** What retention deletes from Postgres. */
export type PurgeKind =
  | 'idempotency_keys'
  | 'finished_effects'
  | 'finished_run_actions'
  | 'pages'
  | 'alert_groups'
  | 'alert_digests';

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
