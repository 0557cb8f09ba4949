import { commander, type Incident } from './incident.js';
import type { PagerDutyPolicy } from './paging-policy.js';
import type { PageAction, PageEvent, PageTarget, PagingEffect } from './paging-ports.js';
import type { SeverityPolicy } from './policy.js';

/** What of PagerDuty the bot can reach, for deciding which paging effects a change records. */
export interface PagingReach {
  readonly policy: PagerDutyPolicy;
  /** A default routing key is configured: declarations page. */
  readonly events: boolean;
  /** The REST API is configured: on-call look-ups. */
  readonly rest: boolean;
  /** REST writes are configured too (a `From` email): pages to people and to services without a routing key. */
  readonly writes: boolean;
}

export const SUMMARY_MAX = 1024;
const DEDUP_MAX = 255;

/** The page key PagerDuty deduplicates on: the incident ID, so a repeated delivery never pages twice. */
export function dedupKeyOf(incidentId: string, target: PageTarget): string {
  const key = target.kind === 'user' ? `${incidentId}/${target.userId}` : incidentId;
  return key.slice(0, DEDUP_MAX);
}

/** How a target is stored beside its page (`pages.target`). */
export function targetKey(target: PageTarget): string {
  if (target.kind === 'service') return `service:${target.name}`;
  if (target.kind === 'user') return `user:${target.userId}`;
  return 'default';
}

/** A policy service by name, case-insensitively. */
export function findService(policy: PagerDutyPolicy, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.keys(policy.services).find((s) => s.toLowerCase() === wanted);
}

/** `text`, cut to `max` characters with an ellipsis when it is longer. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Which paging effects each change of an incident records. Drills never page.
 * A declaration pages the incident's affected services that have a routing
 * key of their own in the policy, else the default integration.
 */
export function createPageRules(reach: PagingReach | undefined) {
  function triggers(sev: SeverityPolicy, incident: Pick<Incident, 'drill' | 'services'>): PagingEffect[] {
    if (!reach?.events || !sev.page || incident.drill) return [];
    const own = incident.services
      .map((s) => findService(reach.policy, s))
      .filter((name): name is string => !!name && !!reach.policy.services[name]!.routingKey);
    const targets: PageTarget[] = own.length
      ? [...new Set(own)].map((name) => ({ kind: 'service', name }))
      : [{ kind: 'default' }];
    return targets.map((target) => ({ kind: 'page', action: 'trigger', target }));
  }
  function oncall(sev: SeverityPolicy, incident: Pick<Incident, 'drill'>): PagingEffect[] {
    if (!reach?.rest || !reach.policy.escalationPolicies.length || !sev.warRoom || incident.drill) return [];
    return [{ kind: 'oncall' }];
  }
  const followUp = (action: 'acknowledge' | 'resolve'): PagingEffect[] =>
    reach?.events || reach?.rest ? [{ kind: 'page', action }] : [];

  return {
    /** A new incident: page when its level says so, and bring the on-calls into its war room. */
    onDeclare: (sev: SeverityPolicy, incident: Pick<Incident, 'drill' | 'services'>): PagingEffect[] => [
      ...triggers(sev, incident),
      ...oncall(sev, incident),
    ],
    /** A raise into a paging level pages (once: a page already sent is not sent again). */
    onSeverity: (from: SeverityPolicy, to: SeverityPolicy, incident: Incident): PagingEffect[] => [
      ...(from.page ? [] : triggers(to, incident)),
      ...(!incident.channelId && to.warRoom ? oncall(to, incident) : []),
    ],
    onAck: () => followUp('acknowledge'),
    onResolve: () => followUp('resolve'),
  };
}

export type PageRules = ReturnType<typeof createPageRules>;

/** Where the war room and its summary card are, when they exist. */
export interface PageLinks {
  readonly warRoom?: { readonly url: string; readonly name: string };
  readonly card?: string;
}

/** The Events API v2 event of a page: its summary, severity and details come from the incident. */
export function pageEvent(
  incident: Incident,
  policy: PagerDutyPolicy,
  page: { routingKey: string; action: PageAction; dedupKey: string; message?: string | null; icName?: string },
  links: PageLinks = {},
): PageEvent {
  const base = { routingKey: page.routingKey, action: page.action, dedupKey: page.dedupKey };
  if (page.action !== 'trigger') return base;
  const summary = `[${incident.severity}] ${incident.id}: ${incident.title}${page.message ? ` (${page.message})` : ''}`;
  return {
    ...base,
    payload: {
      summary: truncate(summary, SUMMARY_MAX),
      source: 'firebreak',
      severity: policy.severity[incident.severity] ?? 'critical',
      timestamp: incident.declaredAt.toISOString(),
      ...(incident.services[0] && { component: incident.services[0] }),
      class: 'incident',
      customDetails: {
        id: incident.id,
        level: incident.severity,
        status: incident.status,
        ic: page.icName ?? commander(incident),
        war_room: links.warRoom ? `#${links.warRoom.name}` : null,
        ...(incident.services.length && { services: incident.services.join(', ') }),
        ...(page.message && { message: page.message }),
      },
    },
    links: [
      ...(links.warRoom ? [{ href: links.warRoom.url, text: `War room #${links.warRoom.name}` }] : []),
      ...(links.card ? [{ href: links.card, text: `${incident.id} summary card` }] : []),
    ],
  };
}

/** The target of a stored page (`pages.target`). */
export function parseTargetKey(key: string): PageTarget {
  if (key.startsWith('service:')) return { kind: 'service', name: key.slice('service:'.length) };
  if (key.startsWith('user:')) return { kind: 'user', userId: key.slice('user:'.length) };
  return { kind: 'default' };
}

/** What a paging effect does, in words for the timeline and the war room. */
export function describePaging(spec: PagingEffect): string {
  if (spec.kind === 'oncall') return 'Inviting the on-call from PagerDuty';
  if (spec.action !== 'trigger')
    return spec.action === 'acknowledge' ? 'Acknowledging the page in PagerDuty' : 'Resolving the page in PagerDuty';
  if (spec.target.kind === 'service') return `Paging ${spec.target.name} through PagerDuty`;
  if (spec.target.kind === 'user') return 'Paging a person through PagerDuty';
  return 'Paging the on-call through PagerDuty';
}
