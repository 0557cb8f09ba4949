import { UserError } from '../errors.js';
import type { ExternalActor } from './changes.js';
import { clampText, INCIDENT_ID } from './incident.js';
import type { PagerDutyEvent, PageStore } from './paging-ports.js';
import type { Policy } from './policy.js';
import type { Clock, IncidentStore } from './ports.js';
import type { CommandContext } from './requests.js';
import type { IncidentService } from './service.js';

export interface FeedbackDeps {
  readonly incidents: IncidentService;
  readonly store: Pick<IncidentStore, 'get'>;
  readonly pages: PageStore;
  readonly clock: Clock;
  readonly policy: Policy;
}

/** What became of a PagerDuty event. */
export type FeedbackOutcome = 'acknowledged' | 'resolved' | 'recorded' | 'ignored';

const NAME_MAX = 80;
const INCIDENT_PREFIX = new RegExp(`^(${INCIDENT_ID.source.slice(1, -1)})(?:/|$)`, 'i');

/**
 * PagerDuty's side of the loop. An acknowledgement of a page we sent
 * acknowledges our incident (stopping our escalation chain too); a
 * resolution is recorded on the timeline, and resolves the incident only if
 * the policy says so. Each delivery is applied once: its webhook ID is the
 * idempotency key of the change. Events about anything else are ignored.
 */
export function createPagerDutyFeedback(deps: FeedbackDeps) {
  const { incidents, pages } = deps;

  async function pageOf(event: PagerDutyEvent) {
    const key = event.incidentKey;
    const id = key ? INCIDENT_PREFIX.exec(key)?.[1]?.toUpperCase() : undefined;
    if (!key || !id) return undefined;
    const page = await pages.byDedupKey(id, key);
    return page && { page, incidentId: id };
  }

  /** Our incident is already in that state (or resolved): the event changes nothing here. */
  const settled = (err: unknown): FeedbackOutcome => {
    if (err instanceof UserError && err.code === 'conflict') return 'ignored';
    throw err;
  };

  return {
    /** Applies one webhook event; `webhookId` is the same on every redelivery of it. */
    async handle(event: PagerDutyEvent, webhookId: string): Promise<FeedbackOutcome> {
      if (event.type !== 'incident.acknowledged' && event.type !== 'incident.resolved') return 'ignored';
      const found = await pageOf(event);
      if (!found) return 'ignored';
      const { page, incidentId } = found;
      const ctx: CommandContext = {
        actor: { userId: 'firebreak', name: 'PagerDuty' },
        channelId: '',
        idempotencyKey: `pagerduty-webhook:${webhookId}`,
        waitForEffectsMs: 0,
      };
      const via: ExternalActor = { system: 'PagerDuty', name: clampText(event.agent ?? 'someone', NAME_MAX) };
      const incident = await deps.store.get(incidentId);
      if (!incident) return 'ignored';
      if (event.type === 'incident.acknowledged') {
        if (page.state === 'triggered') await pages.mark(page.id, 'acknowledged', event.pdIncidentId);
        if (incident.ackedAt || incident.status === 'resolved') return 'ignored';
        return incidents.acknowledge({ id: incidentId }, ctx, via).then(() => 'acknowledged' as const, settled);
      }
      if (page.state !== 'resolved') await pages.mark(page.id, 'resolved', event.pdIncidentId);
      if (incident.status === 'resolved') return 'ignored';
      if (deps.policy.pagerduty.resolveWithPagerDuty)
        return incidents.resolve({ id: incidentId }, undefined, ctx, via).then(() => 'resolved' as const, settled);
      const number = event.pdIncidentNumber ? `#${event.pdIncidentNumber}` : (event.pdIncidentId ?? '');
      await incidents.apply({ id: incidentId }, ctx, () => ({
        timeline: [
          {
            at: deps.clock.now(),
            actor: 'firebreak',
            kind: 'pagerduty_resolved',
            text: `PagerDuty incident ${number} resolved by ${via.name}; this incident stays open until someone resolves it here`,
            data: { pdIncident: event.pdIncidentId, by: via.name },
          },
        ],
        effects: [
          {
            kind: 'post',
            target: 'room',
            notice: { kind: 'pagerduty_resolved', by: via.name, pdIncident: number || null },
          },
        ],
      }));
      return 'recorded';
    },
  };
}

export type PagerDutyFeedback = ReturnType<typeof createPagerDutyFeedback>;
