import { z } from 'zod';

/** The severities PagerDuty's Events API v2 accepts. */
export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PdSeverity = (typeof PD_SEVERITIES)[number];

/** A PagerDuty service `/incident page` can page by name. */
export interface PagedService {
  readonly id: string;
  /** The Events API v2 integration key of the service; without one, the page goes through the REST API. */
  readonly routingKey: string | null;
}

/** The policy file's `pagerduty` section. */
export interface PagerDutyPolicy {
  /** Whose current on-calls are invited into every war room. */
  readonly escalationPolicies: readonly string[];
  readonly services: Readonly<Record<string, PagedService>>;
  /** The PagerDuty severity of each level (every level has one; the defaults fill in the rest). */
  readonly severity: Readonly<Record<string, PdSeverity>>;
  /** The service a page to a person is raised on (PagerDuty incidents always belong to a service). */
  readonly peopleService: string | null;
  /** Resolving in PagerDuty resolves the incident here too; off, it is only recorded on the timeline. */
  readonly resolveWithPagerDuty: boolean;
}

/** The policy file's `alerts` section: how Alertmanager groups map to levels. */
export interface AlertsPolicy {
  /** The alert label whose value says how bad it is. */
  readonly severityLabel: string;
  /** Label value → severity level. */
  readonly levels: Readonly<Record<string, string>>;
  /** Levels whose alert groups are declared as incidents at once. */
  readonly autoDeclare: readonly string[];
}

/** What the environment configures of PagerDuty, for the policy checks that depend on it. */
export interface PagerDutyReach {
  /** PAGERDUTY_ROUTING_KEY is set: declarations can page. */
  readonly events: boolean;
  /** PAGERDUTY_TOKEN is set: on-call look-ups work. */
  readonly rest: boolean;
  /** PAGERDUTY_FROM is set too: pages through the REST API (to people, to services without a routing key) work. */
  readonly writes: boolean;
}

const PD_ID = /^[A-Z0-9]{5,20}$/;
const pdId = z.string().regex(PD_ID, "is not a PagerDuty ID; copy it from the object's page URL, e.g. PABC123");
const routingKey = z
  .string()
  .length(32, "must be 32 characters: the Integration Key of the service's Events API v2 integration");

export const pagerDutySchema = z
  .strictObject({
    escalationPolicies: z.array(pdId).default([]),
    services: z
      .record(
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'service names are letters, digits, ., _ or -'),
        z.strictObject({ id: pdId, routingKey: routingKey.optional() }),
      )
      .default({}),
    severity: z.record(z.string(), z.enum(PD_SEVERITIES)).default({}),
    peopleService: z.string().optional(),
    resolveWithPagerDuty: z.boolean().default(false),
  })
  .optional();

export const alertsSchema = z
  .strictObject({
    severityLabel: z
      .string()
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'is not a Prometheus label name')
      .default('severity'),
    levels: z.record(z.string().min(1), z.string()).default({}),
    autoDeclare: z.array(z.string()).default([]),
  })
  .optional();

type PagerDutyInput = z.output<typeof pagerDutySchema>;
type AlertsInput = z.output<typeof alertsSchema>;
type Issue = { path: PropertyKey[]; message: string };

/** Problems with the `pagerduty` and `alerts` sections that need the levels and the environment to see. */
export function pagingIssues(
  levels: readonly string[],
  pages: readonly string[],
  pd: PagerDutyInput,
  alerts: AlertsInput,
  reach: PagerDutyReach,
): Issue[] {
  const issues: Issue[] = [];
  const known = (level: string) => levels.includes(level);
  const list = levels.join(', ');
  for (const level of pages)
    if (!reach.events)
      issues.push({
        path: ['severities', level, 'page'],
        message:
          'is true, but PagerDuty is not configured: set PAGERDUTY_ROUTING_KEY (an Events API v2 integration key), or set page: false',
      });
  for (const level of Object.keys(pd?.severity ?? {}))
    if (!known(level))
      issues.push({ path: ['pagerduty', 'severity', level], message: `is not a severity level; use one of ${list}` });
  if (pd?.peopleService && !pd.services[pd.peopleService])
    issues.push({ path: ['pagerduty', 'peopleService'], message: 'is not one of the services listed under services' });
  if (!reach.rest && pd?.escalationPolicies.length)
    issues.push({
      path: ['pagerduty', 'escalationPolicies'],
      message: 'needs PAGERDUTY_TOKEN (a REST API key) to look up who is on call',
    });
  if (!reach.writes)
    for (const [name, s] of Object.entries(pd?.services ?? {}))
      if (!s.routingKey)
        issues.push({
          path: ['pagerduty', 'services', name],
          message:
            'has no routingKey, so paging it goes through the REST API, which needs PAGERDUTY_TOKEN and PAGERDUTY_FROM; give it a routingKey or set both',
        });
  for (const [value, level] of Object.entries(alerts?.levels ?? {}))
    if (!known(level))
      issues.push({ path: ['alerts', 'levels', value], message: `is not a severity level; use one of ${list}` });
  (alerts?.autoDeclare ?? []).forEach((level, n) => {
    if (!known(level))
      issues.push({ path: ['alerts', 'autoDeclare', n], message: `is not a severity level; use one of ${list}` });
  });
  return issues;
}

/** The default PagerDuty severity of the level at `rank`: critical for the two most severe, then error, warning, info. */
export function defaultPdSeverity(rank: number): PdSeverity {
  if (rank <= 1) return 'critical';
  if (rank === 2) return 'error';
  if (rank === 3) return 'warning';
  return 'info';
}

/** The `pagerduty` section with its defaults filled in for `levels` (most severe first). */
export function pagerDutyPolicyOf(levels: readonly string[], pd: PagerDutyInput): PagerDutyPolicy {
  const services = Object.fromEntries(
    Object.entries(pd?.services ?? {}).map(([name, s]) => [name, { id: s.id, routingKey: s.routingKey ?? null }]),
  );
  return {
    escalationPolicies: pd?.escalationPolicies ?? [],
    services,
    severity: Object.fromEntries(levels.map((l, n) => [l, pd?.severity[l] ?? defaultPdSeverity(n)])),
    peopleService: pd?.peopleService ?? Object.keys(services)[0] ?? null,
    resolveWithPagerDuty: pd?.resolveWithPagerDuty ?? false,
  };
}

/** The `alerts` section with its defaults. */
export function alertsPolicyOf(alerts: AlertsInput): AlertsPolicy {
  return {
    severityLabel: alerts?.severityLabel ?? 'severity',
    levels: alerts?.levels ?? {},
    autoDeclare: alerts?.autoDeclare ?? [],
  };
}
