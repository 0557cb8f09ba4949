import { api } from '@pagerduty/pdjs';
import { PagerFailure } from '../incident/paging-ports.js';
import { failureOf, unreachable } from './failure.js';

export interface RestOptions {
  readonly token: string;
  /** The PagerDuty user's email writes are made as; PagerDuty refuses writes without it. */
  readonly from: string | undefined;
  /** `https://api.pagerduty.com`, the EU host, or an `http://` proxy or fake. */
  readonly url: string;
  /** The whole call, pdjs's own 429 retries included. */
  readonly timeoutMs?: number;
  /** How far apart pdjs retries a 429 inside one call; after its third, the outbox's back-off takes over. */
  readonly retry429Ms?: number;
}

type Query = Record<string, string | string[]>;

/** What a call sends: query parameters for reads, a JSON body for writes. */
export interface RestCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly query?: Query;
  readonly body?: object;
}

/** The status of a pdjs rejection that carries a response (an error answer whose body is not JSON). */
function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * PagerDuty's REST API through `@pagerduty/pdjs`, with what it lacks: a full
 * `url` (so `http://` and the EU host work), `From` on writes, a deadline on
 * the whole call (pdjs's `requestTimeout` aborts nothing), a status check
 * (pdjs resolves on a JSON error body), and failures as `PagerFailure`, which
 * the outbox retries with back-off (pdjs retries only 429).
 */
export function createRestClient(options: RestOptions) {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  return async function call<T>(req: RestCall): Promise<T> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new PagerFailure('timeout', true, undefined, req.method !== 'GET', `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const request = api({
      token: options.token,
      url: `${base}${req.path}`,
      method: req.method,
      headers: req.method === 'GET' || !options.from ? {} : { From: options.from },
      ...(req.method === 'GET' ? { data: req.query ?? {} } : { data: req.body ?? {} }),
      signal: controller.signal,
      // No keep-alive timer of pdjs's own; the deadline above is the timeout.
      requestTimeout: 0,
      retryTimeout: options.retry429Ms ?? 1_000,
    });
    try {
      const res = await Promise.race([request, deadline]);
      if (res.status >= 200 && res.status < 300) return res.data as T;
      throw failureOf(res.status, res.headers, JSON.stringify(res.data ?? ''));
    } catch (err) {
      if (err instanceof PagerFailure) throw err;
      const status = statusOf(err);
      if (status !== undefined) {
        const body = await (err as Response).text?.().catch(() => '');
        throw failureOf(status, (err as Response).headers ?? new Headers(), body ?? '');
      }
      throw unreachable(err);
    } finally {
      clearTimeout(timer);
      request.catch(() => undefined);
    }
  };
}

export type RestClient = ReturnType<typeof createRestClient>;
