import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GroupInput } from '../alerts/alert-group.js';
import type { Logger } from '../log.js';
import { parseAlertmanagerBody } from './alertmanager-body.js';
import type { Route } from './health.js';
import { answer, failed, jsonOf, webhookBody } from './webhook-answers.js';

export interface AlertmanagerRouteDeps {
  /** ALERTMANAGER_TOKEN; undefined leaves the route answering that it is off. */
  readonly token: string | undefined;
  readonly receive: (group: GroupInput) => Promise<unknown>;
  readonly log: Logger;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The token of `Authorization: Bearer <token>`, or the password of `Basic` (Alertmanager's two kinds). */
function presented(header: string | undefined): string | undefined {
  const [scheme, value] = (header ?? '').split(/\s+/, 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * POST /webhooks/alertmanager: Alertmanager's webhook. The token comes first
 * (401), then the size (413), JSON and shape (400): refusals are only for what
 * will never be valid, and record nothing. A delivery that cannot be stored
 * right now gets a 503, which Alertmanager retries.
 */
export function alertmanagerRoute(deps: AlertmanagerRouteDeps): Route {
  const { log } = deps;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!deps.token)
      return answer(res, 404, 'The Alertmanager webhook is off: set ALERTMANAGER_TOKEN on Firebreak to turn it on.');
    const given = presented(req.headers.authorization);
    if (!given || !timingSafeEqual(digest(given), digest(deps.token))) {
      log.warn({ source: 'alertmanager' }, 'refused an Alertmanager webhook without the right token');
      return answer(
        res,
        401,
        'Send ALERTMANAGER_TOKEN as "Authorization: Bearer <token>" (http_config.authorization).',
        {
          'www-authenticate': 'Bearer realm="firebreak-alertmanager"',
        },
      );
    }
    const raw = await webhookBody(req, res);
    if (!raw) return;
    const json = jsonOf(raw, res);
    if (json === undefined) return;
    const group = parseAlertmanagerBody(json);
    if (typeof group === 'string') {
      log.warn({ source: 'alertmanager', problem: group }, 'refused an Alertmanager webhook body');
      return answer(res, 400, `${group}; nothing was recorded.`);
    }
    try {
      await deps.receive(group);
      answer(res, 200, 'Recorded.');
    } catch (err) {
      failed(res, err, log, 'alertmanager');
    }
  }
  return {
    path: '/webhooks/alertmanager',
    method: 'POST',
    handler: (req, res) => {
      handle(req, res).catch((err: unknown) => failed(res, err, log, 'alertmanager'));
    },
  };
}
