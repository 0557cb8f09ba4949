import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from '@pagerduty/pdjs';
import { PagerFailure } from '../../src/incident/paging-ports.js';
import { createEventsApi } from '../../src/pagerduty/events.js';
import { createRestClient } from '../../src/pagerduty/rest.js';
import { FakePagerDuty, PD_FROM, PD_TOKEN } from '../../src/playground/pagerduty/server.js';

const KEY = 'k'.repeat(32);
const ACCEPT = 'application/vnd.pagerduty+json;version=2';
let pd: FakePagerDuty;

beforeAll(async () => {
  pd = await new FakePagerDuty([KEY]).start();
  pd.rest.escalationPolicies.set('PEP0001', 'Primary');
  for (let n = 0; n < 130; n++) {
    const id = `PU${String(n).padStart(5, '0')}`;
    pd.rest.users.set(id, { id, name: `Person ${n}`, email: `p${n}@example.com` });
    pd.rest.onCalls.push({ userId: id, escalationPolicy: 'PEP0001', level: 1 + (n % 3), schedule: null, end: null });
  }
});
afterAll(async () => {
  await pd.stop();
});

async function raw(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const res = await fetch(`${pd.url}${path}`, init);
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null };
}

const enqueue = (event: Record<string, unknown>) =>
  raw('/v2/enqueue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });

const trigger = (extra: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'trigger',
  dedup_key: 'INC-2026-1122-001',
  payload: { summary: 'Checkout is failing', source: 'firebreak', severity: 'critical' },
  ...extra,
});

describe('the fake REST API refuses what PagerDuty refuses', () => {
  const headers = { authorization: `Token token=${PD_TOKEN}`, accept: ACCEPT };

  it('without "Token token=", without the versioned Accept, and without From or a JSON body on writes', async () => {
    expect((await raw('/oncalls')).status).toBe(401);
    expect((await raw('/oncalls', { headers: { authorization: `Bearer ${PD_TOKEN}`, accept: ACCEPT } })).status).toBe(
      401,
    );
    expect((await raw('/oncalls', { headers: { authorization: `Token token=${PD_TOKEN}` } })).status).toBe(406);
    const post = (h: Record<string, string>) =>
      raw('/incidents', { method: 'POST', headers: { ...headers, ...h }, body: JSON.stringify({ incident: {} }) });
    const noFrom = await post({ 'content-type': 'application/json' });
    expect(noFrom.status).toBe(400);
    expect(noFrom.body).toEqual({
      error: { message: expect.any(String), code: 2001, errors: [expect.stringContaining('From')] },
    });
    expect((await post({ 'content-type': 'text/plain', from: PD_FROM })).status).toBe(400);
    expect((await raw('/oncalls?limit=100&offset=9950', { headers })).status).toBe(400);
  });

  it('serves pdjs (the real client) with repeated [] parameters and offset pagination', async () => {
    const first = await api({
      token: PD_TOKEN,
      url: `${pd.url}/oncalls`,
      method: 'GET',
      data: { 'escalation_policy_ids[]': ['PEP0001'], 'include[]': ['users'], limit: '100' },
      requestTimeout: 0,
    });
    expect(first.status).toBe(200);
    expect(first.data.oncalls).toHaveLength(100);
    expect(first.data.oncalls[0].user.email).toBe('p0@example.com');
    expect(first.data.more).toBe(true);
    const second = await first.next!();
    expect(second.data.oncalls).toHaveLength(30);
    expect(second.data.more).toBe(false);
  });
});

describe('the fake Events API v2 refuses what PagerDuty refuses, answering as PagerDuty does', () => {
  it.each([
    ['a routing key that is not 32 characters', trigger({ routing_key: 'short' }), "Length of 'routing_key'"],
    ['no event_action', trigger({ event_action: undefined }), "'event_action' is invalid"],
    ['a dedup key over 255 characters', trigger({ dedup_key: 'x'.repeat(256) }), "'dedup_key' is too long"],
    ['an acknowledge without a dedup key', { routing_key: KEY, event_action: 'acknowledge' }, "'dedup_key' is missing"],
    ['a trigger without a summary', trigger({ payload: { source: 's', severity: 'info' } }), "'payload.summary'"],
    [
      'a summary over 1024 characters',
      trigger({ payload: { summary: 'x'.repeat(1025), source: 's', severity: 'info' } }),
      'should be 1024',
    ],
    ['a trigger without a source', trigger({ payload: { summary: 's', severity: 'info' } }), "'payload.source'"],
    [
      'a severity PagerDuty does not know',
      trigger({ payload: { summary: 's', source: 's', severity: 'high' } }),
      "'payload.severity'",
    ],
    ['a link without href', trigger({ links: [{ text: 'x' }] }), "'links'"],
  ])('%s', async (_what, event, error) => {
    const res = await enqueue(event);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: [expect.stringContaining(error)],
    });
  });

  it('keeps alert state per routing key and dedup key: acknowledge and resolve of an unknown key change nothing', async () => {
    expect((await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'nobody' })).status).toBe(202);
    expect(pd.events.opened('nobody')).toEqual([]);
    const first = await enqueue(trigger({ dedup_key: 'state-1' }));
    expect(first.body).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'state-1' });
    await enqueue(trigger({ dedup_key: 'state-1' }));
    expect(pd.events.opened('state-1')).toHaveLength(1);
    expect(pd.events.opened('state-1')[0]!.deduplicated).toBe(1);
    await enqueue({ routing_key: KEY, event_action: 'resolve', dedup_key: 'state-1' });
    await enqueue(trigger({ dedup_key: 'state-1' }));
    expect(pd.events.opened('state-1').map((a) => a.status)).toEqual(['resolved', 'triggered']);
  });
});

describe('failures on demand, as the clients see them', () => {
  const events = () => createEventsApi({ url: pd.eventsUrl, timeoutMs: 2_000 });
  const send = () => events().send({ routingKey: KEY, action: 'acknowledge', dedupKey: 'failures' });
  const failureOf = async (work: Promise<unknown>) =>
    (await work.then(
      () => undefined,
      (e: unknown) => e,
    )) as PagerFailure;

  it('429 with PagerDuty’s body and rate-limit headers, and without either; 5xx; no answer in time', async () => {
    pd.fail('events', { kind: 'ratelimited', body: true, headers: true, resetSeconds: 7 });
    expect(await failureOf(send())).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7_000 });
    pd.fail('events', { kind: 'ratelimited', body: false, headers: false });
    expect(await failureOf(send())).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: undefined });
    pd.fail('events', { kind: 'http', status: 502 });
    expect(await failureOf(send())).toMatchObject({ code: 'http_502', retryable: true, ambiguous: true });
    pd.fail('events', { kind: 'hang' });
    expect(await failureOf(send())).toMatchObject({ code: 'timeout', retryable: true, ambiguous: true });
  });

  it('the pdjs wrapper gives up on a 429 after pdjs’s own retries, and times out a hanging call', async () => {
    const call = createRestClient({ token: PD_TOKEN, from: PD_FROM, url: pd.apiUrl, timeoutMs: 1_500, retry429Ms: 50 });
    pd.fail('rest', { kind: 'ratelimited', body: true, headers: true, resetSeconds: 3 }, 4);
    const limited = await failureOf(call({ method: 'GET', path: '/oncalls' }));
    expect(limited).toBeInstanceOf(PagerFailure);
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterMs: 3_000 });
    pd.fail('rest', { kind: 'http', status: 500 });
    expect(await failureOf(call({ method: 'GET', path: '/oncalls' }))).toMatchObject({
      code: 'http_500',
      retryable: true,
    });
    pd.fail('rest', { kind: 'hang' });
    const started = Date.now();
    expect(await failureOf(call({ method: 'GET', path: '/oncalls' }))).toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
    const denied = createRestClient({ token: 'wrong', from: PD_FROM, url: pd.apiUrl });
    expect(await failureOf(denied({ method: 'GET', path: '/oncalls' }))).toMatchObject({
      code: 'unauthorized',
      retryable: false,
    });
  });
});
