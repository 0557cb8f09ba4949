import { type OnCall, type PagerDutyDirectory, PagerFailure } from '../incident/paging-ports.js';
import type { RestClient } from './rest.js';

interface Reference {
  id: string;
  summary?: string;
  name?: string;
  email?: string;
}

interface OnCallsPage {
  oncalls: {
    user: Reference;
    schedule: Reference | null;
    escalation_policy: Reference;
    escalation_level: number;
    end: string | null;
  }[];
  more: boolean;
  offset: number;
  limit: number;
}

const PAGE = 100;
/** PagerDuty refuses `offset + limit` over 10,000. */
const OFFSET_MAX = 10_000 - PAGE;
const DUPLICATE_KEY = /matching dedup key already exists/i;

/**
 * The REST side of PagerDuty the bot uses: who is on call (following
 * `more`/`offset`), users by email, services' escalation policies, and
 * incidents it raises and updates. Throws `PagerFailure`.
 */
export function createPagerDutyDirectory(call: RestClient): PagerDutyDirectory {
  return {
    async onCalls(escalationPolicyIds) {
      const out: OnCall[] = [];
      for (let offset = 0; offset <= OFFSET_MAX; offset += PAGE) {
        const page = await call<OnCallsPage>({
          method: 'GET',
          path: '/oncalls',
          query: {
            'escalation_policy_ids[]': [...escalationPolicyIds],
            'include[]': ['users'],
            earliest: 'true',
            limit: String(PAGE),
            offset: String(offset),
          },
        });
        for (const o of page.oncalls ?? [])
          out.push({
            name: o.user.name ?? o.user.summary ?? o.user.id,
            email: o.user.email ?? null,
            level: o.escalation_level,
            until: o.end ? new Date(o.end) : null,
            escalationPolicy: o.escalation_policy.summary ?? o.escalation_policy.id,
            schedule: o.schedule?.summary ?? null,
          });
        if (!page.more) break;
      }
      return out;
    },

    async escalationPolicyOf(serviceId) {
      const res = await call<{ service: { escalation_policy: Reference } }>({
        method: 'GET',
        path: `/services/${encodeURIComponent(serviceId)}`,
      });
      return res.service.escalation_policy.id;
    },

    async userByEmail(email) {
      const res = await call<{ users: Reference[] }>({ method: 'GET', path: '/users', query: { query: email } });
      const user = res.users?.find((u) => u.email?.toLowerCase() === email.toLowerCase());
      return user && { id: user.id, name: user.name ?? user.summary ?? user.id };
    },

    async createIncident(page) {
      try {
        const res = await call<{ incident: { id: string } }>({
          method: 'POST',
          path: '/incidents',
          body: {
            incident: {
              type: 'incident',
              title: page.title,
              service: { id: page.serviceId, type: 'service_reference' },
              incident_key: page.incidentKey,
              urgency: 'high',
              body: { type: 'incident_body', details: page.details },
              ...(page.assigneeId && { assignments: [{ assignee: { id: page.assigneeId, type: 'user_reference' } }] }),
            },
          },
        });
        return { id: res.incident.id, existing: false };
      } catch (err) {
        // An earlier attempt got through: PagerDuty keeps one open incident per key and service.
        if (!(err instanceof PagerFailure && DUPLICATE_KEY.test(err.detail ?? ''))) throw err;
        const open = await call<{ incidents: Reference[] }>({
          method: 'GET',
          path: '/incidents',
          query: { incident_key: page.incidentKey },
        });
        return { id: open.incidents?.[0]?.id ?? null, existing: true };
      }
    },

    async setIncidentStatus(incidentId, status) {
      await call({
        method: 'PUT',
        path: `/incidents/${encodeURIComponent(incidentId)}`,
        body: { incident: { type: 'incident_reference', status } },
      });
    },
  };
}
