import type { IncomingMessage, ServerResponse } from 'node:http';
import { OutcomeUnknownError, StorageUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { readBody } from '../read-body.js';

/** The most a webhook body may hold: 1 MB. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** Answers with a JSON body; `message` says what happened and, for a refusal, what to do. */
export function answer(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(`${JSON.stringify({ status: status < 300 ? 'ok' : 'refused', message })}\n`);
}

/** The raw body of a webhook, or undefined after answering 413 for one over the limit. */
export async function webhookBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  const tooLarge = () =>
    answer(res, 413, `The body is over ${WEBHOOK_BODY_LIMIT} bytes; nothing was recorded.`, { connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > WEBHOOK_BODY_LIMIT) {
    tooLarge();
    req.resume();
    return undefined;
  }
  const raw = await readBody(req, WEBHOOK_BODY_LIMIT);
  if (!raw) tooLarge();
  return raw;
}

/** JSON of a body, or undefined after answering 400. */
export function jsonOf(raw: Buffer, res: ServerResponse): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    answer(res, 400, 'The body is not JSON; nothing was recorded.');
    return undefined;
  }
}

/**
 * Answers a failure to record a delivery: 503 when Postgres is away (both
 * senders retry a 5xx, so nothing is lost), 500 for anything else, logged.
 */
export function failed(res: ServerResponse, err: unknown, log: Logger, source: string): void {
  if (err instanceof StorageUnavailableError) {
    log.error({ source, err: { message: err.message } }, 'could not record a webhook: storage unavailable');
    answer(res, 503, 'Storage is unavailable right now, so nothing was recorded; send it again.', {
      'retry-after': '10',
    });
    return;
  }
  if (err instanceof OutcomeUnknownError) {
    // The sender's retry is harmless: deliveries are deduplicated, so a recorded one is not recorded twice.
    log.error({ source, err: { message: err.message } }, 'webhook outcome unknown: postgres went away during commit');
    answer(res, 503, 'Storage went away while this delivery was being saved; send it again.', { 'retry-after': '10' });
    return;
  }
  log.error({ source, err }, 'could not record a webhook');
  answer(res, 500, 'Firebreak could not record this delivery; send it again.');
}
