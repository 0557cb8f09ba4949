import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PagerDutyEvent } from '../incident/paging-ports.js';

/**
 * Checks `X-PagerDuty-Signature` (`v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of the
 * raw body): true when any `v1` signature matches any of the secrets, each
 * compared in constant time. Entries of other versions are ignored.
 */
export function verifySignature(raw: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header) return false;
  const given = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => Buffer.from(s.slice(3), 'utf8'));
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('hex'), 'utf8');
    for (const g of given) if (g.length === expected.length && timingSafeEqual(g, expected)) ok = true;
  }
  return ok;
}

const reference = z.looseObject({ id: z.string().optional(), summary: z.string().optional() }).nullish();
const envelope = z.looseObject({
  event: z.looseObject({
    id: z.string(),
    event_type: z.string(),
    resource_type: z.string().optional(),
    occurred_at: z.string().optional(),
    agent: reference,
    data: z
      .looseObject({
        id: z.string().optional(),
        number: z.number().optional(),
        incident_key: z.string().nullish(),
      })
      .nullish(),
  }),
});

/** Reads a webhook v3 body; a string says what is wrong with a body PagerDuty would never send. */
export function parseWebhookEvent(body: unknown): PagerDutyEvent | string {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || 'the body'}: ${issue.message}`;
  }
  const e = parsed.data.event;
  const incident = e.resource_type === undefined || e.resource_type === 'incident' ? e.data : undefined;
  return {
    id: e.id,
    type: e.event_type,
    incidentKey: incident?.incident_key ?? null,
    pdIncidentId: incident?.id ?? null,
    pdIncidentNumber: incident?.number ?? null,
    agent: e.agent?.summary ?? null,
  };
}
