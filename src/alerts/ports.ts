import type { AlertDigest, AlertGroup, DigestLine, GroupInput } from './alert-group.js';
import type { ChannelState } from './placement.js';
import type { GroupChange } from './rules.js';

/** Alert groups in Postgres. Every write is one transaction. */
export interface AlertStore {
  /**
   * Locks the group of `input` (creating it), lets `decide` merge the
   * delivery, and stores the result, with the tied incident's timeline
   * entries, in one transaction.
   */
  receive(
    input: GroupInput,
    now: Date,
    decide: (current: AlertGroup | undefined) => GroupChange,
  ): Promise<{ group: AlertGroup; change: GroupChange }>;
  get(id: number): Promise<AlertGroup | undefined>;
  /** Groups the policy declares at once that have no incident yet. */
  toDeclare(limit: number): Promise<AlertGroup[]>;
  /** Ties the group's episode to an incident and notes it on the incident's timeline; false when already tied. */
  tie(groupId: number, episode: number, incidentId: string, now: Date): Promise<boolean>;
  /** Groups of a digest matching `query`, for the digest's declare picker. */
  search(digestId: number, query: string, limit: number): Promise<DigestLine[]>;
}

/** What Slack should show of alert groups (a state outbox), in Postgres. */
export interface AlertOutbox {
  /** Gives groups not yet shown a card or a place in the digest, as `rule` decides, under a lock. */
  place(now: Date, rule: (count: number, state: ChannelState) => readonly ('card' | 'digest')[]): Promise<number>;
  /** Leases cards whose group changed since Slack last showed it. */
  claimCards(now: Date, limit: number): Promise<AlertGroup[]>;
  cardShown(id: number, version: number, channel: string, ts: string): Promise<void>;
  /** Leases a digest that changed, if its last edit was at least `everyMs` ago. */
  claimDigest(now: Date, everyMs: number, lines: number): Promise<AlertDigest | undefined>;
  digestShown(id: number, version: number, channel: string, ts: string, now: Date): Promise<void>;
  /** Back to waiting until `at`; `unsure` (sticky) says the failed attempt may have posted. */
  retry(kind: 'card' | 'digest', id: number, at: Date, error: string, unsure: boolean): Promise<void>;
  /** Stops trying to show it: Slack refused it for good. */
  giveUp(kind: 'card' | 'digest', id: number, error: string): Promise<void>;
  /** When something waits to be shown next, if anything does. */
  nextDue(now: Date, everyMs: number): Promise<Date | undefined>;
}

/** The incidents channel as alert cards need it. Methods throw `ChatFailure`. */
export interface AlertChat {
  postCard(group: AlertGroup, once: { key: string; retry: boolean }): Promise<{ channel: string; ts: string }>;
  editCard(channel: string, ts: string, group: AlertGroup): Promise<void>;
  postDigest(digest: AlertDigest, once: { key: string; retry: boolean }): Promise<{ channel: string; ts: string }>;
  editDigest(channel: string, ts: string, digest: AlertDigest): Promise<void>;
}

/** Durable prompts for the publisher. */
export interface AlertTimers {
  publish(at: Date): Promise<void>;
}
