import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeEvents } from './events.js';
import { FakeRest } from './rest.js';

/** A scripted failure: 429 with or without PagerDuty's body and rate-limit headers, a 5xx, or no answer at all. */
export type PdFault =
  | { kind: 'ratelimited'; body: boolean; headers: boolean; resetSeconds?: number }
  | { kind: 'http'; status: number }
  | { kind: 'hang' };

/** A request the fake received. */
export interface PdRequest {
  readonly api: 'events' | 'rest';
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly status: number;
  readonly at: number;
}

export const PD_TOKEN = 'u+fakePagerDutyRestKey01';
export const PD_FROM = 'firebreak@example.com';

/**
 * A fake PagerDuty: the Events API v2 (`/v2/enqueue`, on its own `eventsUrl`
 * as in production) and the REST API, strict where PagerDuty is strict, with
 * failures scriptable per API. Both share one HTTP server; the paths tell them apart.
 */
export class FakePagerDuty {
  readonly events: FakeEvents;
  readonly rest: FakeRest;
  readonly requests: PdRequest[] = [];
  private readonly faults: Record<'events' | 'rest', PdFault[]> = { events: [], rest: [] };
  private server?: Server;
  url = '';

  constructor(routingKeys: readonly string[] = [], token = PD_TOKEN) {
    this.events = new FakeEvents(new Set(routingKeys));
    this.rest = new FakeRest(token);
    this.rest.users.set('PUSER01', { id: 'PUSER01', name: 'Firebreak Bot', email: PD_FROM });
  }

  /** Makes the next `times` requests to `api` fail as described. */
  fail(api: 'events' | 'rest', fault: PdFault, times = 1): void {
    for (let n = 0; n < times; n++) this.faults[api].push(fault);
  }

  /** Accepted Events API calls for `dedupKey`, in order. */
  eventsFor(dedupKey: string): Record<string, unknown>[] {
    return this.events.accepted.filter((e) => e.dedup_key === dedupKey);
  }

  get eventsUrl(): string {
    return this.url;
  }

  get apiUrl(): string {
    return this.url;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body, headers }) => {
        if (status === 0) return;
        res.writeHead(status, headers ?? {});
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; body: string; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const api = url.pathname === '/v2/enqueue' || url.pathname === '/v2/change/enqueue' ? 'events' : 'rest';
    const answer = this.answer(api, req, url, body);
    this.requests.push({
      api,
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      body,
      status: answer.status,
      at: Date.now(),
    });
    return answer;
  }

  private answer(api: 'events' | 'rest', req: IncomingMessage, url: URL, body: string) {
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => ({
      status,
      body: JSON.stringify(value),
      headers: { 'content-type': 'application/json', ...headers },
    });
    const fault = this.faults[api].shift();
    if (fault?.kind === 'hang') return { status: 0, body: '' };
    if (fault?.kind === 'http') return { status: fault.status, body: '' };
    if (fault?.kind === 'ratelimited') {
      const headers: Record<string, string> = fault.headers
        ? { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': String(fault.resetSeconds ?? 1) }
        : {};
      if (!fault.body) return { status: 429, body: '', headers };
      return json(429, { error: { message: 'Rate Limit Exceeded', code: 2020 } }, headers);
    }
    if (api === 'events') {
      if (req.method !== 'POST') return json(405, { status: 'error', message: 'Method Not Allowed', errors: [] });
      const answer = this.events.enqueue(body);
      return json(answer.status, answer.body);
    }
    const answer = this.rest.handle({ method: req.method ?? 'GET', url, headers: req.headers, body });
    return json(answer.status, answer.body);
  }
}
