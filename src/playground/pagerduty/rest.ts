/**
 * PagerDuty's REST API v2 as its reference documents it (PagerDuty/api-schema): `Authorization: Token
 * token=…` exactly, the versioned Accept header, JSON bodies, `From` on incident writes, offset pagination
 * capped at 10,000, and errors as `{error: {message, code, errors}}`.
 */

export const ACCEPT = 'application/vnd.pagerduty+json;version=2';

export interface FakeUser {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}
export interface FakeOnCall {
  readonly userId: string;
  readonly escalationPolicy: string;
  readonly level: number;
  readonly schedule: string | null;
  readonly end: string | null;
}
export interface FakeIncident {
  readonly id: string;
  readonly number: number;
  readonly serviceId: string;
  readonly title: string;
  readonly incidentKey: string | null;
  status: 'triggered' | 'acknowledged' | 'resolved';
  readonly assignees: string[];
  readonly from: string;
}

export type RestAnswer = { status: number; body: unknown };

const error = (status: number, message: string, code: number, errors: string[] = []): RestAnswer => ({
  status,
  body: { error: { message, code, errors } },
});

export interface RestRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

const header = (r: RestRequest, name: string) => {
  const v = r.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** The REST side: users, services, escalation policies, on-calls and incidents. */
export class FakeRest {
  readonly users = new Map<string, FakeUser>();
  readonly services = new Map<string, { name: string; escalationPolicy: string }>();
  readonly escalationPolicies = new Map<string, string>();
  readonly onCalls: FakeOnCall[] = [];
  readonly incidents: FakeIncident[] = [];
  private seq = 0;

  constructor(readonly token: string) {}

  /** Checks what every request must carry; undefined when it may go on. */
  private refused(r: RestRequest): RestAnswer | undefined {
    if (header(r, 'authorization') !== `Token token=${this.token}`)
      return error(401, 'Unauthorized', 2006, ['Authorization must be "Token token=<API key>"']);
    if (header(r, 'accept') !== ACCEPT) return error(406, 'Not Acceptable', 2001, [`Accept must be ${ACCEPT}`]);
    const write = r.method === 'POST' || r.method === 'PUT';
    if (write && !/^application\/json(;.*)?$/.test(header(r, 'content-type') ?? ''))
      return error(400, 'Invalid Input Provided', 2001, ['Content-Type must be application/json']);
    if (write && r.url.pathname.startsWith('/incidents')) {
      const from = header(r, 'from');
      if (!from)
        return error(400, 'Invalid Input Provided', 2001, [
          'You must provide a "From" header with the email of a user',
        ]);
      if (![...this.users.values()].some((u) => u.email === from)) return error(400, 'Requester User Not Found', 2100);
    }
    return undefined;
  }

  private page<T>(r: RestRequest, all: readonly T[], key: string): RestAnswer {
    const limit = Number(r.url.searchParams.get('limit') ?? 25);
    const offset = Number(r.url.searchParams.get('offset') ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return error(400, 'Invalid Input Provided', 2001, ['limit must be 1-100']);
    if (!Number.isInteger(offset) || offset < 0 || offset + limit > 10_000)
      return error(400, 'Invalid Input Provided', 2001, ['Offset must be less than 10000']);
    return {
      status: 200,
      body: { [key]: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: null },
    };
  }

  private userJson(id: string, full: boolean) {
    const u = this.users.get(id)!;
    const ref = {
      id,
      type: full ? 'user' : 'user_reference',
      summary: u.name,
      self: `https://api.pagerduty.com/users/${id}`,
      html_url: `https://fake.pagerduty.com/users/${id}`,
    };
    return full ? { ...ref, name: u.name, email: u.email, time_zone: 'Etc/UTC' } : ref;
  }

  private incidentJson(i: FakeIncident) {
    return {
      id: i.id,
      type: 'incident',
      incident_number: i.number,
      title: i.title,
      status: i.status,
      incident_key: i.incidentKey,
      service: { id: i.serviceId, type: 'service_reference', summary: this.services.get(i.serviceId)?.name },
      assignments: i.assignees.map((a) => ({ assignee: this.userJson(a, false) })),
      urgency: 'high',
      html_url: `https://fake.pagerduty.com/incidents/${i.id}`,
    };
  }

  handle(r: RestRequest): RestAnswer {
    const no = this.refused(r);
    if (no) return no;
    const path = r.url.pathname;
    const q = r.url.searchParams;
    if (r.method === 'GET' && path === '/oncalls') {
      const policies = q.getAll('escalation_policy_ids[]');
      const full = q.getAll('include[]').includes('users');
      let rows = this.onCalls.filter((o) => !policies.length || policies.includes(o.escalationPolicy));
      if (q.get('earliest') === 'true')
        rows = rows.filter(
          (o, n) =>
            rows.findIndex(
              (x) => x.userId === o.userId && x.escalationPolicy === o.escalationPolicy && x.level === o.level,
            ) === n,
        );
      const json = rows.map((o) => ({
        user: this.userJson(o.userId, full),
        schedule: o.schedule ? { id: o.schedule, type: 'schedule_reference', summary: `Schedule ${o.schedule}` } : null,
        escalation_policy: {
          id: o.escalationPolicy,
          type: 'escalation_policy_reference',
          summary: this.escalationPolicies.get(o.escalationPolicy) ?? o.escalationPolicy,
        },
        escalation_level: o.level,
        start: o.end ? new Date(Date.now() - 3_600_000).toISOString() : null,
        end: o.end,
      }));
      return this.page(r, json, 'oncalls');
    }
    if (r.method === 'GET' && path.startsWith('/services/')) {
      const id = decodeURIComponent(path.slice('/services/'.length));
      const s = this.services.get(id);
      if (!s) return error(404, 'Not Found', 2100);
      return {
        status: 200,
        body: {
          service: {
            id,
            type: 'service',
            name: s.name,
            escalation_policy: {
              id: s.escalationPolicy,
              type: 'escalation_policy_reference',
              summary: this.escalationPolicies.get(s.escalationPolicy),
            },
          },
        },
      };
    }
    if (r.method === 'GET' && path === '/users') {
      const query = (q.get('query') ?? '').toLowerCase();
      const users = [...this.users.keys()]
        .filter((id) => {
          const u = this.users.get(id)!;
          return u.email.toLowerCase().includes(query) || u.name.toLowerCase().includes(query);
        })
        .map((id) => this.userJson(id, true));
      return this.page(r, users, 'users');
    }
    if (r.method === 'GET' && path === '/incidents') {
      const key = q.get('incident_key');
      return this.page(
        r,
        this.incidents.filter((i) => !key || i.incidentKey === key).map((i) => this.incidentJson(i)),
        'incidents',
      );
    }
    if (r.method === 'POST' && path === '/incidents') return this.create(r);
    if (r.method === 'PUT' && path.startsWith('/incidents/')) {
      const id = decodeURIComponent(path.slice('/incidents/'.length));
      const incident = this.incidents.find((i) => i.id === id);
      if (!incident) return error(404, 'Not Found', 2100);
      const body = JSON.parse(r.body || '{}') as { incident?: { type?: string; status?: string } };
      if (body.incident?.type !== 'incident_reference' && body.incident?.type !== 'incident')
        return error(400, 'Invalid Input Provided', 2001, ['incident.type must be incident_reference']);
      if (body.incident.status !== 'acknowledged' && body.incident.status !== 'resolved')
        return error(400, 'Invalid Input Provided', 2001, ['incident.status must be acknowledged or resolved']);
      if (incident.status !== 'resolved') incident.status = body.incident.status;
      return { status: 200, body: { incident: this.incidentJson(incident) } };
    }
    return error(404, 'Not Found', 2100);
  }

  private create(r: RestRequest): RestAnswer {
    let body: { incident?: Record<string, unknown> };
    try {
      body = JSON.parse(r.body) as typeof body;
    } catch {
      return error(400, 'Invalid Input Provided', 2001, ['The body is not JSON']);
    }
    const i = body.incident;
    const service = (i?.service as { id?: string; type?: string } | undefined) ?? {};
    const errors: string[] = [];
    if (i?.type !== 'incident') errors.push('incident.type must be incident');
    if (typeof i?.title !== 'string' || !i.title) errors.push('incident.title is required');
    if (service.type !== 'service_reference' || !this.services.has(service.id ?? ''))
      errors.push('incident.service must reference a service');
    const assignments = (i?.assignments as { assignee?: { id?: string; type?: string } }[] | undefined) ?? [];
    if (assignments.some((a) => a.assignee?.type !== 'user_reference' || !this.users.has(a.assignee.id ?? '')))
      errors.push('assignments must reference users');
    if (errors.length) return error(400, 'Invalid Input Provided', 2001, errors);
    const key = typeof i!.incident_key === 'string' ? i!.incident_key : null;
    if (
      key &&
      this.incidents.some((x) => x.serviceId === service.id && x.incidentKey === key && x.status !== 'resolved')
    )
      return error(400, 'Arguments Caused Error', 2001, [
        'Open incident with matching dedup key already exists on this service',
      ]);
    const incident: FakeIncident = {
      id: `Q${String(++this.seq).padStart(6, '0')}`,
      number: this.seq,
      serviceId: service.id!,
      title: i!.title as string,
      incidentKey: key,
      status: 'triggered',
      assignees: assignments.map((a) => a.assignee!.id!),
      from: String(r.headers.from),
    };
    this.incidents.push(incident);
    return { status: 201, body: { incident: this.incidentJson(incident) } };
  }
}
