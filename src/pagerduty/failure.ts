import { PagerFailure } from '../incident/paging-ports.js';

/** How long PagerDuty asks us to wait, from `Retry-After` (seconds or a date) or `ratelimit-reset` (seconds). */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = Number(headers.get('ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
}

/** The reasons PagerDuty gives in an error body, REST (`{error: {message, errors}}`) or Events (`{message, errors}`). */
export function reasons(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: string; errors?: unknown };
      message?: string;
      errors?: unknown;
    };
    const source = parsed.error ?? parsed;
    const errors = Array.isArray(source.errors) ? source.errors.filter((e): e is string => typeof e === 'string') : [];
    return [...(source.message ? [source.message] : []), ...errors].map((r) => r.slice(0, 300));
  } catch {
    return [];
  }
}

/**
 * The failure of a PagerDuty answer that was not a success. 429 and 5xx are
 * retried (a 5xx may have done the work); 401 and 403 mean the key is wrong;
 * any other 4xx means the request will never be accepted as it is.
 */
export function failureOf(status: number, headers: Headers, body: string): PagerFailure {
  const detail = reasons(body).join('; ') || undefined;
  if (status === 429) return new PagerFailure('rate_limited', true, retryAfterMs(headers), false, detail);
  if (status >= 500) return new PagerFailure(`http_${status}`, true, undefined, true, detail);
  if (status === 401 || status === 403)
    return new PagerFailure(
      status === 401 ? 'unauthorized' : 'forbidden',
      false,
      undefined,
      false,
      detail ?? 'check the PagerDuty key',
    );
  if (status === 404) return new PagerFailure('not_found', false, undefined, false, detail);
  return new PagerFailure(`http_${status}`, false, undefined, false, detail);
}

/** The failure of a call that got no answer: refused, cut, or over its time (which may have reached PagerDuty). */
export function unreachable(err: unknown): PagerFailure {
  const name = (err as { name?: string }).name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  return new PagerFailure(
    timedOut ? 'timeout' : 'unreachable',
    true,
    undefined,
    true,
    (err as Error).message?.slice(0, 200),
  );
}
