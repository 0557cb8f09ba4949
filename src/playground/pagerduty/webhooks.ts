import { createHmac, randomUUID } from 'node:crypto';

/** A webhook v3 event as PagerDuty sends one (developer.pagerduty.com, "V3 Webhooks: Event Types"). */
export function incidentEvent(
  type: string,
  incident: { id?: string; number?: number; incidentKey: string | null; title?: string },
  agent: { id: string; name: string } | null = { id: 'PUSERJD', name: 'Jane Doe' },
): Record<string, unknown> {
  const id = incident.id ?? 'Q1FAKE0000001';
  return {
    event: {
      id: `01${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`,
      event_type: type,
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      agent: agent && {
        html_url: `https://fake.pagerduty.com/users/${agent.id}`,
        id: agent.id,
        self: `https://api.pagerduty.com/users/${agent.id}`,
        summary: agent.name,
        type: 'user_reference',
      },
      client: null,
      data: {
        id,
        type: 'incident',
        self: `https://api.pagerduty.com/incidents/${id}`,
        html_url: `https://fake.pagerduty.com/incidents/${id}`,
        number: incident.number ?? 42,
        status:
          type === 'incident.resolved' ? 'resolved' : type === 'incident.acknowledged' ? 'acknowledged' : 'triggered',
        incident_key: incident.incidentKey,
        created_at: new Date().toISOString(),
        title: incident.title ?? 'Something is wrong',
        service: { id: 'PSVC001', summary: 'payments', type: 'service_reference' },
        assignees: [],
        escalation_policy: { id: 'PEP0001', summary: 'Payments', type: 'escalation_policy_reference' },
        teams: [],
        priority: null,
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

/** The ping PagerDuty sends when a subscription is tested. */
export function pingEvent(): Record<string, unknown> {
  return {
    event: {
      id: randomUUID(),
      event_type: 'pagey.ping',
      resource_type: 'pagey',
      occurred_at: new Date().toISOString(),
      agent: null,
      client: null,
      data: { message: 'Hello from your friend Pagey!', type: 'ping' },
    },
  };
}

/** `X-PagerDuty-Signature`: one `v1=` HMAC-SHA256 of the raw body per secret (two during a rotation). */
export function signature(body: string, secrets: readonly string[]): string {
  return secrets.map((s) => `v1=${createHmac('sha256', s).update(body).digest('hex')}`).join(',');
}

/**
 * Delivers an event as PagerDuty does: signed with every current secret, with
 * a webhook ID that a redelivery repeats. Resolves with the status the bot answered.
 */
export async function deliverWebhook(
  url: string,
  event: Record<string, unknown>,
  options: { secrets: readonly string[]; webhookId?: string; signature?: string; body?: string },
): Promise<{ status: number; webhookId: string; body: string }> {
  const body = options.body ?? JSON.stringify(event);
  const webhookId = options.webhookId ?? randomUUID();
  const res = await fetch(`${url}/webhooks/pagerduty`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'PagerDuty-Webhook/V3.0',
      'x-webhook-id': webhookId,
      'x-webhook-subscription': 'PSUB001',
      ...(options.signature !== '' && {
        'x-pagerduty-signature': options.signature ?? signature(body, options.secrets),
      }),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, webhookId, body: await res.text() };
}
