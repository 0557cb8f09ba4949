import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { readBody } from '../read-body.js';
import { payloadProblem } from './payload-shapes.js';

export interface GuardOptions {
  readonly signingSecret: string;
  readonly log: Logger;
  readonly endpoint?: string;
  readonly now?: () => number;
  readonly bodyLimit?: number;
}

/** Slack's replay window, both ways: a request stamped further from now than this is refused. */
const WINDOW_S = 5 * 60;

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Stands in front of Bolt's receiver on the Slack endpoint. It checks the
 * signature and refuses timestamps more than five minutes away in either
 * direction (Bolt refuses only old ones), then refuses, with a 400 and a log
 * line, a signed body of a shape Slack never sends (a `null` payload, a view
 * without `view`, non-string modal values) that would otherwise reach Bolt
 * and end as a 500, a hang or a crash. Everything else goes on to Bolt with
 * the body already read.
 */
export function guardSlackRequests(next: RequestListener, options: GuardOptions): RequestListener {
  const endpoint = options.endpoint ?? '/slack/events';
  const now = options.now ?? Date.now;
  const limit = options.bodyLimit ?? 4 * 1024 * 1024;
  const { log } = options;

  async function check(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, limit);
    if (!body) return refuse(res, 413, 'Request body too large.');
    const text = body.toString('utf8');
    const contentType = header(req, 'content-type');
    const sslCheck = contentType === 'application/x-www-form-urlencoded' && /(^|&)ssl_check=1(&|$)/.test(text);
    if (!sslCheck) {
      const stamp = Number(header(req, 'x-slack-request-timestamp'));
      const signature = header(req, 'x-slack-signature') ?? '';
      if (!Number.isInteger(stamp) || Math.abs(now() / 1000 - stamp) > WINDOW_S) {
        log.warn(
          { timestamp: header(req, 'x-slack-request-timestamp') },
          'refused a Slack request outside the 5-minute window',
        );
        return refuse(res, 401, 'The request timestamp is missing or more than 5 minutes from now.');
      }
      const expected = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${stamp}:${text}`).digest('hex')}`;
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
        log.warn('refused a Slack request with a wrong signature');
        return refuse(res, 401, 'The request signature does not match.');
      }
      const problem = payloadProblem(contentType, text);
      if (problem) {
        log.warn({ problem, contentType }, 'refused a signed Slack request of a shape Slack never sends');
        return refuse(res, 400, `Malformed Slack request: ${problem}`);
      }
    }
    // Bolt reads the body from here instead of the (already consumed) stream.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    next(req, res);
  }

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== endpoint) return next(req, res);
    check(req, res).catch((err: unknown) => {
      log.warn({ err }, 'could not read a Slack request');
      if (!res.headersSent) refuse(res, 400, 'Could not read the request.');
    });
  };
}
