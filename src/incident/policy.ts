import { readYaml, validateYaml } from '../yaml-source.js';
import {
  type AlertsPolicy,
  alertsPolicyOf,
  type PagerDutyPolicy,
  type PagerDutyReach,
  pagerDutyPolicyOf,
  pagingIssues,
} from './paging-policy.js';
import { DEFAULT_CAPTURE, policySchema, retentionSchema } from './policy-schema.js';

/** One escalation step: after `afterMs` from declaration, notify these users or groups. */
export interface EscalationStep {
  readonly afterMs: number;
  readonly notify: readonly string[];
}

/** What a severity level means and what it sets in motion. */
export interface SeverityPolicy {
  readonly level: string;
  readonly description: string;
  readonly warRoom: boolean;
  readonly updateEveryMs: number;
  readonly page: boolean;
  readonly responders: readonly string[];
  readonly escalation: readonly EscalationStep[];
}

/** What the scribe's capture picks up. */
export interface CapturePolicy {
  /** Reacting with this emoji (name without colons) puts a war-room message on the timeline. */
  readonly emoji: string;
  /** Every war-room message of the scribe goes on the timeline. */
  readonly scribeMessages: boolean;
}

/**
 * How long what only serves the bot's own bookkeeping is kept. Incidents,
 * their timelines, updates, follow-ups and reports are the record: kept.
 */
export interface RetentionPolicy {
  /** Idempotency keys of commands, clicks and form submissions. */
  readonly idempotencyKeysMs: number;
  /** Side effects and runbook run actions that finished (done or given up), counted from when they finished. */
  readonly finishedEffectsMs: number;
  /** The queue's records of jobs that ended. */
  readonly jobRecordsMs: number;
  /** PagerDuty pages that reached an end (resolved or skipped), counted from their incident's resolution. */
  readonly pagesMs: number;
  /** Alertmanager groups and the digests that folded them, counted from when Alertmanager last sent them. */
  readonly alertGroupsMs: number;
  /** How often the retention job runs. */
  readonly everyMs: number;
}

/** The severity policy; `severities` are ordered from most to least severe. */
export interface Policy {
  readonly severities: readonly SeverityPolicy[];
  readonly capture: CapturePolicy;
  /** Who may approve runbook steps besides the incident commander: users or user groups. */
  readonly approvers: readonly string[];
  readonly retention: RetentionPolicy;
  readonly approvals: ApprovalPolicy;
  readonly pagerduty: PagerDutyPolicy;
  readonly alerts: AlertsPolicy;
}

/** Who may approve runbook changes. */
export interface ApprovalPolicy {
  /** Only listed approvers may approve steps that change the cluster; the IC alone is not enough. */
  readonly requireApprover: boolean;
}

/** The default policy from the runbooks: P0 and P1 get war rooms and 15-minute updates. */
export const DEFAULT_POLICY: Policy = {
  severities: [
    {
      level: 'P0',
      description: 'Complete outage, data loss or security breach',
      warRoom: true,
      updateEveryMs: 15 * 60_000,
      page: true,
      responders: [],
      escalation: [],
    },
    {
      level: 'P1',
      description: 'Major feature unavailable',
      warRoom: true,
      updateEveryMs: 15 * 60_000,
      page: true,
      responders: [],
      escalation: [],
    },
    {
      level: 'P2',
      description: 'Minor feature impact',
      warRoom: false,
      updateEveryMs: 60 * 60_000,
      page: false,
      responders: [],
      escalation: [],
    },
    {
      level: 'P3',
      description: 'Cosmetic; a workaround exists',
      warRoom: false,
      updateEveryMs: 60 * 60_000,
      page: false,
      responders: [],
      escalation: [],
    },
  ],
  capture: DEFAULT_CAPTURE,
  approvers: [],
  retention: retentionOf(retentionSchema.parse(undefined)),
  approvals: { requireApprover: false },
  pagerduty: pagerDutyPolicyOf(['P0', 'P1', 'P2', 'P3'], undefined),
  alerts: { severityLabel: 'severity', levels: { critical: 'P1', warning: 'P3' }, autoDeclare: [] },
};

/** The default policy for an install without PagerDuty: its `page: true` levels cannot page, so they do not. */
export function withoutPaging(policy: Policy): Policy {
  return { ...policy, severities: policy.severities.map((s) => ({ ...s, page: false })) };
}

/**
 * Parses and validates a policy file. Every problem is reported at once, each
 * as `file:line: path: what is wrong`; `reach` says what of PagerDuty the
 * environment configures, for the settings that need it.
 */
export function parsePolicy(
  text: string,
  source: string,
  reach: PagerDutyReach = { events: true, rest: true, writes: true },
): Policy {
  const checked = policySchema.superRefine((p, ctx) => {
    const levels = Object.keys(p.severities);
    const pages = levels.filter((l) => p.severities[l]!.page);
    for (const issue of pagingIssues(levels, pages, p.pagerduty, p.alerts, reach))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
  const data = validateYaml(readYaml(text, source), checked);
  const levels = Object.keys(data.severities);
  return {
    pagerduty: pagerDutyPolicyOf(levels, data.pagerduty),
    alerts: alertsPolicyOf(data.alerts),
    capture: { emoji: data.capture.emoji.replace(/:/g, ''), scribeMessages: data.capture.scribeMessages },
    approvers: data.approvers,
    retention: retentionOf(data.retention),
    approvals: { requireApprover: data.approvals.requireApprover },
    severities: Object.entries(data.severities).map(([level, s]) => ({
      level,
      description: s.description,
      warRoom: s.warRoom,
      updateEveryMs: s.updateEvery,
      page: s.page,
      responders: s.responders,
      escalation: s.escalation.map((e) => ({ afterMs: e.after, notify: e.notify })),
    })),
  };
}

function retentionOf(r: {
  idempotencyKeys: number;
  finishedEffects: number;
  jobRecords: number;
  pages: number;
  alertGroups: number;
  every: number;
}): RetentionPolicy {
  return {
    idempotencyKeysMs: r.idempotencyKeys,
    finishedEffectsMs: r.finishedEffects,
    jobRecordsMs: r.jobRecords,
    pagesMs: r.pages,
    alertGroupsMs: r.alertGroups,
    everyMs: r.every,
  };
}

/** Finds a level, case-insensitively; undefined when the policy has no such level. */
export function findSeverity(policy: Policy, level: string): SeverityPolicy | undefined {
  const wanted = level.toUpperCase();
  return policy.severities.find((s) => s.level.toUpperCase() === wanted);
}

/** Returns the level's policy; the caller has already validated the level. */
export function severityOf(policy: Policy, level: string): SeverityPolicy {
  const found = findSeverity(policy, level);
  if (!found) throw new Error(`severity ${level} is not in the policy`);
  return found;
}

/** Rank of a level: 0 is the most severe. */
export function severityRank(policy: Policy, level: string): number {
  return policy.severities.findIndex((s) => s.level === level);
}
