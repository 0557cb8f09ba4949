import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PagerDutyEvent } from '../incident/paging-ports.js';
import type { Logger } from '../log.js';
import type { Route } from './health.js';
import { answer, failed, jsonOf, webhookBody } from './webhook-answers.js';

export interface PagerDutyRouteDeps {
  /** False when no webhook secret is configured: the route says it is off. */
  readonly enabled: boolean;
  /** Checks `X-PagerDuty-Signature` against the raw body. */
  readonly verify: (raw: Buffer, signature: string | undefined) => boolean;
  readonly parse: (json: unknown) => PagerDutyEvent | string;
  /** Applies the event; `webhookId` is the same on every redelivery. */
  readonly handle: (event: PagerDutyEvent, webhookId: string) => Promise<unknown>;
  readonly log: Logger;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * POST /webhooks/pagerduty: PagerDuty's webhooks v3. Every well-signed
 * delivery gets a 2xx at once (pings and event types Firebreak does not use
 * included: PagerDuty turns a subscription off after three refusals); a bad
 * or missing signature gets a 401, and a delivery that cannot be stored a 503,
 * which PagerDuty retries.
 */
export function pagerDutyRoute(deps: PagerDutyRouteDeps): Route {
  const { log } = deps;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!deps.enabled)
      return answer(res, 404, 'The PagerDuty webhook is off: set PAGERDUTY_WEBHOOK_SECRET on Firebreak to turn it on.');
    const raw = await webhookBody(req, res);
    if (!raw) return;
    if (!deps.verify(raw, header(req, 'x-pagerduty-signature'))) {
      log.warn({ source: 'pagerduty' }, 'refused a PagerDuty webhook with a missing or wrong signature');
      return answer(res, 401, 'The X-PagerDuty-Signature does not match; check PAGERDUTY_WEBHOOK_SECRET.');
    }
    const json = jsonOf(raw, res);
    if (json === undefined) return;
    const event = deps.parse(json);
    if (typeof event === 'string') {
      log.warn({ source: 'pagerduty', problem: event }, 'refused a signed PagerDuty webhook body');
      return answer(res, 400, `${event}; nothing was recorded.`);
    }
    try {
      const outcome = await deps.handle(event, header(req, 'x-webhook-id') ?? event.id);
      log.info({ source: 'pagerduty', type: event.type, outcome }, 'PagerDuty webhook handled');
      answer(res, 200, 'Received.');
    } catch (err) {
      failed(res, err, log, 'pagerduty');
    }
  }
  return {
    path: '/webhooks/pagerduty',
    method: 'POST',
    handler: (req, res) => {
      handle(req, res).catch((err: unknown) => failed(res, err, log, 'pagerduty'));
    },
  };
}
