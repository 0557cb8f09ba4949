import { UserError } from '../errors.js';
import { openOnly } from './changes.js';
import type { Actor } from './incident.js';
import { findService, targetKey } from './page-rules.js';
import {
  type OnCall,
  type PagerDutyDirectory,
  PagerFailure,
  type PageStore,
  type PageTarget,
  type People,
  type RetryOutcome,
} from './paging-ports.js';
import type { Policy } from './policy.js';
import type { Clock } from './ports.js';
import type { CommandContext, IncidentRef, Outcome } from './requests.js';
import type { IncidentService } from './service.js';
import type { TimelineEntry } from './timeline.js';

export interface PagingServiceDeps {
  readonly incidents: IncidentService;
  readonly pages: PageStore;
  /** Undefined without PAGERDUTY_TOKEN. */
  readonly pagerduty: PagerDutyDirectory | undefined;
  readonly people: People;
  readonly clock: Clock;
  readonly policy: Policy;
  /** What of PagerDuty is configured; undefined when none of it is. */
  readonly reach: { readonly events: boolean; readonly rest: boolean; readonly writes: boolean } | undefined;
}

/** Who `/incident page` pages: a service of the policy by name, or a person. */
export type PageRequest = { readonly service: string } | { readonly userId: string };

/** Someone on call, with their Slack user when Slack knows their email. */
export interface OnCallRow extends OnCall {
  readonly userId: string | undefined;
}

export const NOT_SET_UP =
  'Paging is not set up: Firebreak has no PagerDuty configuration. Ask whoever runs Firebreak to set PAGERDUTY_ROUTING_KEY (and PAGERDUTY_TOKEN with PAGERDUTY_FROM to page people and see who is on call). Until then, page people by hand.';

const unavailable = (message: string) => new UserError('unavailable', message);

/** Turns a PagerDuty failure into words for the person who asked; anything else passes through. */
function asUserError(err: unknown): unknown {
  if (!(err instanceof PagerFailure)) return err;
  return unavailable(
    `PagerDuty did not answer as expected (\`${err.code}\`${err.detail ? `: ${err.detail}` : ''}). Try again in a minute; if it persists, check PagerDuty's status page and Firebreak's PagerDuty settings.`,
  );
}

/** `/incident page`, `/incident oncall` and the Retry button of a failed page. */
export function createPaging(deps: PagingServiceDeps) {
  const { incidents, policy } = deps;
  const pd = policy.pagerduty;

  function targetOf(request: PageRequest): { target: PageTarget; what: string } {
    if (!deps.reach) throw unavailable(NOT_SET_UP);
    if ('userId' in request) {
      if (!deps.reach.writes)
        throw unavailable('Paging a person needs PagerDuty’s REST API: set PAGERDUTY_TOKEN and PAGERDUTY_FROM.');
      if (!pd.peopleService)
        throw unavailable(
          'Paging a person needs a PagerDuty service to raise the page on: list one under pagerduty.services.',
        );
      return { target: { kind: 'user', userId: request.userId }, what: 'a person' };
    }
    const names = Object.keys(pd.services);
    const name = findService(pd, request.service);
    if (!name)
      throw new UserError(
        'not_found',
        names.length
          ? `There is no PagerDuty service \`${request.service.replace(/`/g, "'").slice(0, 60)}\` in the policy. Page one of: ${names.join(', ')}, or a person with \`/incident page @name\`.`
          : 'The policy lists no PagerDuty services (pagerduty.services). Page a person with `/incident page @name`.',
      );
    if (!pd.services[name]!.routingKey && !deps.reach.writes)
      throw unavailable(
        `${name} has no routingKey in the policy, and PAGERDUTY_TOKEN with PAGERDUTY_FROM is not set; set one of them.`,
      );
    return { target: { kind: 'service', name }, what: name };
  }

  return {
    /** Pages a service or a person for the incident: recorded now, sent through the outbox (exactly once). */
    async page(ref: IncidentRef, request: PageRequest, message: string | null, ctx: CommandContext): Promise<Outcome> {
      const { target, what } = targetOf(request);
      const current = await incidents.find(ref, ctx);
      const earlier = (await deps.pages.list(current.id)).find((p) => p.target === targetKey(target));
      if (earlier && earlier.state !== 'skipped')
        throw new UserError(
          'conflict',
          `${current.id} has already paged ${what === 'a person' ? 'them' : what} (${earlier.state}); PagerDuty keeps escalating until someone acknowledges.`,
        );
      return incidents.apply({ id: current.id }, ctx, (i) => {
        openOnly(i);
        const entry: TimelineEntry = {
          at: deps.clock.now(),
          actor: ctx.actor.userId,
          kind: 'page_requested',
          text: `Page requested: ${what}${message ? ` (${message})` : ''}`,
          authorName: ctx.actor.name ?? null,
          data: { target: targetKey(target), ...('userId' in request && { userId: request.userId }) },
        };
        return {
          timeline: [entry],
          effects: [{ kind: 'page', action: 'trigger', target, message, by: ctx.actor.userId }],
        };
      });
    },

    /** Who is on call now: for a service of the policy, or for the policy's escalation policies. */
    async onCall(service: string | undefined): Promise<{ title: string; rows: OnCallRow[] }> {
      if (!deps.reach) throw unavailable(NOT_SET_UP);
      const rest = deps.pagerduty;
      if (!rest) throw unavailable('Showing who is on call needs PagerDuty’s REST API: set PAGERDUTY_TOKEN.');
      let policies = pd.escalationPolicies;
      let title = 'On call now';
      if (service) {
        const name = findService(pd, service);
        if (!name)
          throw new UserError(
            'not_found',
            `There is no PagerDuty service \`${service.replace(/`/g, "'").slice(0, 60)}\` in the policy. Known: ${Object.keys(pd.services).join(', ') || 'none'}.`,
          );
        policies = [
          await rest.escalationPolicyOf(pd.services[name]!.id).catch((e: unknown) => Promise.reject(asUserError(e))),
        ];
        title = `On call now for ${name}`;
      }
      if (!policies.length)
        throw new UserError(
          'usage',
          'Name a service (`/incident oncall payments`), or list escalation policies under pagerduty.escalationPolicies.',
        );
      const onCalls = await rest.onCalls(policies).catch((e: unknown) => Promise.reject(asUserError(e)));
      const rows = await Promise.all(
        onCalls.map(async (o) => ({
          ...o,
          userId: o.email ? await deps.people.userIdByEmail(o.email).catch(() => undefined) : undefined,
        })),
      );
      return {
        title,
        rows: rows.sort((a, b) => a.escalationPolicy.localeCompare(b.escalationPolicy) || a.level - b.level),
      };
    },

    /** The Retry button: the failed (or waiting) page is tried again now, on the record. */
    async retry(
      incidentId: string,
      effectId: number,
      actor: Actor,
      idempotencyKey: string,
    ): Promise<{ outcome: RetryOutcome; result?: Outcome }> {
      const outcome = await deps.pages.retryNow(incidentId, effectId, deps.clock.now());
      if (outcome !== 'retrying') return { outcome };
      const ctx: CommandContext = { actor, channelId: '', idempotencyKey };
      const result = await incidents.apply({ id: incidentId }, ctx, () => ({
        timeline: [
          {
            at: deps.clock.now(),
            actor: actor.userId,
            kind: 'page_retry',
            text: 'Retry of the PagerDuty page requested',
            authorName: actor.name ?? null,
            data: { effectId },
          },
        ],
        effects: [],
      }));
      return { outcome, result };
    },
  };
}

export type Paging = ReturnType<typeof createPaging>;
