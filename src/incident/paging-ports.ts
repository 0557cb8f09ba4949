import { AppError } from '../errors.js';
/** Ports and data of paging through PagerDuty. The adapters live in `pagerduty/` and `slack/`. */

import type { PdSeverity } from './paging-policy.js';

/**
 * Why a PagerDuty call failed. `retryable` failures are retried through the
 * outbox after `retryAfterMs` (PagerDuty's own back-off, when it sent one) or
 * a jittered back-off; `ambiguous` ones may have reached PagerDuty anyway.
 */
export class PagerFailure extends AppError {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
    readonly ambiguous = false,
    readonly detail?: string,
  ) {
    super(`PagerDuty: ${code}${detail ? ` (${detail})` : ''}`);
  }
}

/** PagerDuty is not set up for this: `what` says which setting to add. */
export const notConfigured = (what: string) => new PagerFailure('not_configured', false, undefined, false, what);

export type PageAction = 'trigger' | 'acknowledge' | 'resolve';

/** Who a page goes to: the default integration, a service of the policy, or a person (by Slack user). */
export type PageTarget =
  | { readonly kind: 'default' }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'user'; readonly userId: string };

/** An Events API v2 event as the domain builds it. */
export interface PageEvent {
  readonly routingKey: string;
  readonly action: PageAction;
  readonly dedupKey: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PdSeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly class: string;
    readonly customDetails: Readonly<Record<string, unknown>>;
  };
  readonly links?: readonly { readonly href: string; readonly text: string }[];
}

/** PagerDuty's Events API v2. Throws `PagerFailure`. */
export interface Pager {
  send(event: PageEvent): Promise<void>;
}

/** One person on call now, as PagerDuty lists them. */
export interface OnCall {
  readonly name: string;
  readonly email: string | null;
  readonly level: number;
  /** When their shift ends; null for a permanent on-call. */
  readonly until: Date | null;
  readonly escalationPolicy: string;
  readonly schedule: string | null;
}

/** What a REST page creates in PagerDuty. */
export interface RestPage {
  readonly serviceId: string;
  readonly title: string;
  readonly incidentKey: string;
  readonly details: string;
  readonly assigneeId?: string;
}

/** PagerDuty's REST API. Throws `PagerFailure`. */
export interface PagerDutyDirectory {
  /** Everyone on call now for the escalation policies, every level, following pagination. */
  onCalls(escalationPolicyIds: readonly string[]): Promise<OnCall[]>;
  /** The escalation policy of a service. */
  escalationPolicyOf(serviceId: string): Promise<string>;
  userByEmail(email: string): Promise<{ id: string; name: string } | undefined>;
  /** Creates an incident; an open one with the same key on the service counts as created (`existing`). */
  createIncident(page: RestPage): Promise<{ id: string | null; existing: boolean }>;
  setIncidentStatus(incidentId: string, status: 'acknowledged' | 'resolved'): Promise<void>;
}

/** The chat workspace's people, by email (Slack's `users:read.email`). */
export interface People {
  emailOf(userId: string): Promise<string | undefined>;
  userIdByEmail(email: string): Promise<string | undefined>;
}

export type PageState = 'pending' | 'triggered' | 'acknowledged' | 'resolved' | 'skipped';

/** A page sent (or being sent) for an incident. */
export interface PageRecord {
  readonly id: number;
  readonly incidentId: string;
  /** `default`, `service:<name>` or `user:<Slack user ID>`. */
  readonly target: string;
  readonly dedupKey: string;
  readonly state: PageState;
  readonly pdIncidentId: string | null;
}

/** What `retry` found of a page effect. */
export type RetryOutcome = 'retrying' | 'done' | 'unknown';

/** The pages of incidents, and the Retry button's way into the outbox. */
export interface PageStore {
  /** The page of `target` for the incident, created pending when there is none yet. */
  open(incidentId: string, target: string, dedupKey: string): Promise<PageRecord>;
  mark(pageId: number, state: PageState, pdIncidentId?: string | null): Promise<void>;
  list(incidentId: string): Promise<PageRecord[]>;
  /** The page PagerDuty knows by this key (its webhooks call it the incident key). */
  byDedupKey(incidentId: string, dedupKey: string): Promise<PageRecord | undefined>;
  /** Makes a page effect due now again, failed or waiting; `done` when it already went out. */
  retryNow(incidentId: string, effectId: number, now: Date): Promise<RetryOutcome>;
}

/** A side effect that talks to PagerDuty. */
export type PagingEffect =
  | {
      readonly kind: 'page';
      readonly action: 'trigger';
      readonly target: PageTarget;
      readonly message?: string | null;
      readonly by?: string | null;
    }
  | { readonly kind: 'page'; readonly action: 'acknowledge' | 'resolve' }
  /** Invites the current on-calls of the policy's escalation policies into the war room. */
  | { readonly kind: 'oncall' };

/** Someone on call PagerDuty named whom Slack does not know by email. */
export interface Unmatched {
  readonly name: string;
  readonly email: string | null;
  readonly level: number;
}

/** War-room messages about paging; the Slack adapter renders them. */
export type PagingNotice =
  | {
      readonly kind: 'page_failed';
      readonly effectId: number;
      readonly what: string;
      readonly code: string;
      /** When it is tried again; null when it was given up. */
      readonly retryAt: string | null;
    }
  | { readonly kind: 'page_sent'; readonly what: string; readonly attempts: number }
  | { readonly kind: 'oncall'; readonly invited: readonly string[]; readonly unmatched: readonly Unmatched[] }
  | { readonly kind: 'pagerduty_resolved'; readonly by: string | null; readonly pdIncident: string | null };

/** A PagerDuty webhook v3 event, as far as Firebreak reads it. */
export interface PagerDutyEvent {
  readonly id: string;
  readonly type: string;
  readonly incidentKey: string | null;
  readonly pdIncidentId: string | null;
  readonly pdIncidentNumber: number | null;
  /** Who did it in PagerDuty (a user's name), when PagerDuty says. */
  readonly agent: string | null;
}
