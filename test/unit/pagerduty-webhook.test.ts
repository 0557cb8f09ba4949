import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { parseWebhookEvent, verifySignature } from '../../src/pagerduty/webhook.js';

const body = Buffer.from('{"event":{"id":"01","event_type":"pagey.ping"}}');
const sign = (secret: string, raw = body) => `v1=${createHmac('sha256', secret).update(raw).digest('hex')}`;

describe("PagerDuty's webhook signature", () => {
  it('accepts a v1 signature by any configured secret, among several (a rotation)', () => {
    expect(verifySignature(body, sign('new'), ['old', 'new'])).toBe(true);
    expect(verifySignature(body, `${sign('old')},${sign('other')}`, ['new', 'old'])).toBe(true);
    expect(verifySignature(body, `v0=abc, ${sign('new')}`, ['new'])).toBe(true);
  });

  it('refuses a missing header, another body, another secret, other versions and truncated signatures', () => {
    expect(verifySignature(body, undefined, ['new'])).toBe(false);
    expect(verifySignature(Buffer.from(`${body} `), sign('new'), ['new'])).toBe(false);
    expect(verifySignature(body, sign('old'), ['new'])).toBe(false);
    expect(verifySignature(body, sign('new').replace('v1=', 'v2='), ['new'])).toBe(false);
    expect(verifySignature(body, sign('new').slice(0, -2), ['new'])).toBe(false);
    expect(verifySignature(body, sign('new'), [])).toBe(false);
  });
});

describe("PagerDuty's webhook events", () => {
  it('reads the incident key, the incident and who acted; agent and client may be null', () => {
    expect(
      parseWebhookEvent({
        event: {
          id: 'E1',
          event_type: 'incident.acknowledged',
          resource_type: 'incident',
          agent: { id: 'PJANE01', summary: 'Jane Doe', type: 'user_reference' },
          client: null,
          data: { id: 'Q123', number: 7, incident_key: 'INC-2026-1122-001', extra: true },
        },
      }),
    ).toEqual({
      id: 'E1',
      type: 'incident.acknowledged',
      incidentKey: 'INC-2026-1122-001',
      pdIncidentId: 'Q123',
      pdIncidentNumber: 7,
      agent: 'Jane Doe',
    });
    expect(
      parseWebhookEvent({ event: { id: 'E2', event_type: 'pagey.ping', agent: null, data: { message: 'hi' } } }),
    ).toMatchObject({
      type: 'pagey.ping',
      incidentKey: null,
      agent: null,
    });
  });

  it('says what is wrong with a body PagerDuty never sends', () => {
    expect(parseWebhookEvent({ messages: [] })).toMatch(/^event: /);
    expect(parseWebhookEvent({ event: { id: 3, event_type: 'x' } })).toMatch(/^event\.id: /);
  });
});
