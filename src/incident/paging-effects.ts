import type { EffectFailure } from './effect-failures.js';
import type { Effect } from './effect-spec.js';
import { WaitingForRoom } from './effect-waits.js';
import { commander, type Incident } from './incident.js';
import { createOnCallInviter } from './oncall-invite.js';
import {
  dedupKeyOf,
  describePaging,
  type PageLinks,
  pageEvent,
  parseTargetKey,
  SUMMARY_MAX,
  targetKey,
  truncate,
} from './page-rules.js';
import {
  notConfigured,
  type PageAction,
  type PageRecord,
  type Pager,
  type PagerDutyDirectory,
  PagerFailure,
  type PageStore,
  type PageTarget,
  type PagingEffect,
  type People,
} from './paging-ports.js';
import { type Policy, severityOf } from './policy.js';
import type { Chat, Clock, Directory, IncidentStore } from './ports.js';

export interface PagingEffectDeps {
  readonly store: IncidentStore;
  readonly pages: PageStore;
  /** Undefined without a routing key: event pages fail as not configured. */
  readonly pager: Pager | undefined;
  /** Undefined without a REST key. */
  readonly pagerduty: PagerDutyDirectory | undefined;
  readonly people: People;
  readonly chat: Chat;
  readonly names: Pick<Directory, 'displayName' | 'permalink'>;
  readonly clock: Clock;
  readonly policy: Policy;
  readonly defaultRoutingKey: string | undefined;
}

/** A page waits at most this long after the declaration for the war room, so it can link to it. */
const ROOM_GRACE_MS = 5_000;

/**
 * Carries out the effects that talk to PagerDuty. A trigger is sent once per
 * target (PagerDuty deduplicates on the incident ID as well); acknowledgements
 * and resolutions follow every page that went out, and a page that goes out
 * after the incident was acknowledged or resolved is followed at once.
 */
export function createPagingEffects(deps: PagingEffectDeps) {
  const { store, pages, clock, policy } = deps;
  const pd = policy.pagerduty;

  const mustGet = async (id: string): Promise<Incident> => {
    const found = await store.get(id);
    if (!found) throw new Error(`incident ${id} vanished`);
    return found;
  };
  const note = (incident: Incident, kind: string, text: string, data: Record<string, unknown>) =>
    store.addTimeline(incident.id, { at: clock.now(), actor: 'firebreak', kind, text, data });
  const inviteOnCall = createOnCallInviter(deps, note);

  function routingKeyOf(target: PageTarget): string | null {
    if (target.kind === 'service') return pd.services[target.name]?.routingKey ?? null;
    if (target.kind === 'default') return deps.defaultRoutingKey ?? null;
    return null;
  }

  async function links(incident: Incident): Promise<PageLinks> {
    if (!incident.channelId) return {};
    const card = incident.cardTs ? await deps.names.permalink(incident.channelId, incident.cardTs) : null;
    return {
      warRoom: {
        url: `https://slack.com/app_redirect?channel=${incident.channelId}`,
        name: incident.channelName ?? incident.channelId,
      },
      ...(card && { card }),
    };
  }

  async function restPage(incident: Incident, target: PageTarget, dedupKey: string, message: string | null) {
    const rest = deps.pagerduty;
    if (!rest) throw notConfigured('set PAGERDUTY_TOKEN and PAGERDUTY_FROM to page through the REST API');
    const service = target.kind === 'service' ? target.name : pd.peopleService;
    const serviceId = service ? pd.services[service]?.id : undefined;
    if (!serviceId) throw notConfigured('list a service under pagerduty.services to page people on');
    let assigneeId: string | undefined;
    if (target.kind === 'user') {
      const email = await deps.people.emailOf(target.userId);
      if (!email) throw new PagerFailure('no_email', false, undefined, false, 'Slack has no email for them');
      const user = await rest.userByEmail(email);
      if (!user) throw new PagerFailure('no_pagerduty_user', false, undefined, false, `no PagerDuty user has ${email}`);
      assigneeId = user.id;
    }
    const event = pageEvent(incident, pd, { routingKey: '', action: 'trigger', dedupKey, message });
    const created = await rest.createIncident({
      serviceId,
      title: truncate(event.payload!.summary, SUMMARY_MAX),
      incidentKey: dedupKey,
      details: JSON.stringify(event.payload!.customDetails, null, 2),
      ...(assigneeId && { assigneeId }),
    });
    return created.id;
  }

  async function targetName(target: PageTarget): Promise<string> {
    if (target.kind === 'service') return target.name;
    if (target.kind === 'user') return deps.names.displayName(target.userId).catch(() => target.userId);
    return 'the on-call';
  }

  async function follow(page: PageRecord, action: Exclude<PageAction, 'trigger'>): Promise<void> {
    const target = parseTargetKey(page.target);
    const routingKey = routingKeyOf(target);
    if (routingKey && target.kind !== 'user') {
      if (!deps.pager) throw notConfigured('set PAGERDUTY_ROUTING_KEY');
      await deps.pager.send({ routingKey, action, dedupKey: page.dedupKey });
    } else if (page.pdIncidentId) {
      if (!deps.pagerduty) throw notConfigured('set PAGERDUTY_TOKEN');
      await deps.pagerduty.setIncidentStatus(page.pdIncidentId, action === 'acknowledge' ? 'acknowledged' : 'resolved');
    }
    await pages.mark(page.id, action === 'acknowledge' ? 'acknowledged' : 'resolved');
  }

  /** Sends `action` for every page of the incident that is still open in PagerDuty. */
  async function followAll(incidentId: string, action: Exclude<PageAction, 'trigger'>): Promise<void> {
    for (const page of await pages.list(incidentId)) {
      const open = page.state === 'triggered' || (action === 'resolve' && page.state === 'acknowledged');
      if (open) await follow(page, action);
    }
  }

  async function trigger(incident: Incident, effect: Effect, spec: Extract<PagingEffect, { action: 'trigger' }>) {
    const { target } = spec;
    const page = await pages.open(incident.id, targetKey(target), dedupKeyOf(incident.id, target));
    if (page.state !== 'pending') return;
    const name = await targetName(target);
    if (incident.status === 'resolved') {
      await pages.mark(page.id, 'skipped');
      await note(incident, 'page_skipped', `Did not page ${name}: the incident was resolved first`, {
        target: page.target,
      });
      return;
    }
    const graceEnds = incident.declaredAt.getTime() + ROOM_GRACE_MS;
    if (severityOf(policy, incident.severity).warRoom && !incident.channelId && clock.now().getTime() < graceEnds)
      throw new WaitingForRoom(new Date(graceEnds));
    const routingKey = routingKeyOf(target);
    let pdIncidentId: string | null = null;
    if (routingKey && target.kind !== 'user') {
      if (!deps.pager) throw notConfigured('set PAGERDUTY_ROUTING_KEY');
      const icName = await deps.names.displayName(commander(incident)).catch(() => undefined);
      const event = pageEvent(
        incident,
        pd,
        {
          routingKey,
          action: 'trigger',
          dedupKey: page.dedupKey,
          message: spec.message ?? null,
          ...(icName && { icName }),
        },
        await links(incident),
      );
      await deps.pager.send(event);
    } else pdIncidentId = await restPage(incident, target, page.dedupKey, spec.message ?? null);
    await pages.mark(page.id, 'triggered', pdIncidentId);
    const paged = { ...page, state: 'triggered' as const, pdIncidentId };
    await note(incident, 'paged', `Paged ${name} through PagerDuty`, {
      target: page.target,
      dedupKey: page.dedupKey,
      ...(target.kind === 'user' && { userId: target.userId }),
    });
    // Acknowledged or resolved while the page waited (or PagerDuty was down): follow it at once.
    const now = await mustGet(incident.id);
    if (now.status === 'resolved') await follow(paged, 'resolve');
    else if (now.ackedAt) await follow(paged, 'acknowledge');
    if (effect.attempts > 1)
      await announce(effect.incidentId, { kind: 'page_sent', what: describePaging(spec), attempts: effect.attempts });
  }

  /** Records a war-room message about paging, sent through the outbox like any other. */
  async function announce(incidentId: string, notice: Parameters<typeof announceNotice>[0]): Promise<void> {
    await store.mutate(incidentId, undefined, () => announceNotice(notice));
  }

  return {
    /** Carries out a paging effect of `incident`; throws `PagerFailure` (or `ChatFailure`) when it fails. */
    async perform(incident: Incident, effect: Effect, spec: PagingEffect): Promise<void> {
      if (spec.kind === 'oncall') return inviteOnCall(incident, effect);
      if (spec.action === 'trigger') return trigger(incident, effect, spec);
      return followAll(incident.id, spec.action);
    },

    /** A paging effect failed: the war room hears of it, with a Retry button. */
    async announceFailure(effect: Effect, failure: EffectFailure): Promise<void> {
      if (effect.spec.kind !== 'page' && effect.spec.kind !== 'oncall') return;
      await announce(effect.incidentId, {
        kind: 'page_failed',
        effectId: effect.id,
        what: failure.what,
        code: failure.code,
        retryAt: failure.retryAt?.toISOString() ?? null,
      });
    },
  };
}

export type PagingEffects = ReturnType<typeof createPagingEffects>;

function announceNotice(
  notice:
    | { kind: 'page_failed'; effectId: number; what: string; code: string; retryAt: string | null }
    | { kind: 'page_sent'; what: string; attempts: number },
) {
  return { timeline: [], effects: [{ kind: 'post', target: 'room', notice } as const] };
}
