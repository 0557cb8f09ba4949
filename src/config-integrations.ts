import type { PagerDutyReach } from './incident/paging-policy.js';

/** PagerDuty as the environment configures it; undefined in `Config` when none of it is set. */
export interface PagerDutyConfig {
  /** REST API key: on-call look-ups and pages through the REST API. */
  readonly token: string | undefined;
  /** The PagerDuty user's email REST writes are made as (the `From` header); without it, only reads work. */
  readonly from: string | undefined;
  /** The default Events API v2 integration key; a policy service's own key overrides it. */
  readonly routingKey: string | undefined;
  /** Webhook v3 signing secrets; several during a rotation. */
  readonly webhookSecrets: readonly string[];
  readonly apiUrl: string;
  readonly eventsUrl: string;
}

export interface IntegrationSettings {
  readonly pagerduty: PagerDutyConfig | undefined;
  /** The token Alertmanager sends; undefined leaves POST /webhooks/alertmanager switched off. */
  readonly alertmanagerToken: string | undefined;
  readonly reach: PagerDutyReach;
  readonly secrets: readonly string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/**
 * Reads the PagerDuty and Alertmanager settings, part of `loadConfig`: it
 * takes the same `optional` reader and adds what is wrong to `problems`.
 */
export function readIntegrations(
  optional: (name: string) => string | undefined,
  problems: string[],
): IntegrationSettings {
  const token = optional('PAGERDUTY_TOKEN');
  const from = optional('PAGERDUTY_FROM');
  const routingKey = optional('PAGERDUTY_ROUTING_KEY');
  const webhookSecrets = (optional('PAGERDUTY_WEBHOOK_SECRET') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const apiUrl = (optional('PAGERDUTY_API_URL') ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
  const eventsUrl = (optional('PAGERDUTY_EVENTS_URL') ?? 'https://events.pagerduty.com').replace(/\/+$/, '');
  if (routingKey !== undefined && routingKey.length !== 32)
    problems.push(
      `PAGERDUTY_ROUTING_KEY must be 32 characters (it has ${routingKey.length}): copy the Integration Key of an Events API v2 integration`,
    );
  if (from && !EMAIL.test(from)) problems.push(`PAGERDUTY_FROM must be the email of a PagerDuty user, not "${from}"`);
  if (!isHttpUrl(apiUrl))
    problems.push('PAGERDUTY_API_URL is not a URL: use https://api.pagerduty.com (or the EU host)');
  if (!isHttpUrl(eventsUrl))
    problems.push('PAGERDUTY_EVENTS_URL is not a URL: use https://events.pagerduty.com (or the EU host)');
  const alertmanagerToken = optional('ALERTMANAGER_TOKEN');
  if (alertmanagerToken !== undefined && alertmanagerToken.length < 16)
    problems.push('ALERTMANAGER_TOKEN must be at least 16 characters: generate one with `openssl rand -hex 24`');
  const configured = !!(token || routingKey || webhookSecrets.length);
  return {
    pagerduty: configured ? { token, from, routingKey, webhookSecrets, apiUrl, eventsUrl } : undefined,
    alertmanagerToken,
    reach: { events: !!routingKey, rest: !!token, writes: !!(token && from) },
    secrets: [token, routingKey, alertmanagerToken, ...webhookSecrets].filter((s): s is string => !!s),
  };
}
