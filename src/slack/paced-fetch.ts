import type { FetchFunction } from '@slack/web-api';
import type { Pacer } from './pacer.js';

const METHOD = /\/api\/([A-Za-z]+(?:\.[A-Za-z]+)+)$/;

/** The channel a form-encoded Web API call names (the Web client sends every call that way). */
function channelOf(body: unknown): string | undefined {
  return typeof body === 'string' ? (new URLSearchParams(body).get('channel') ?? undefined) : undefined;
}

/**
 * The Web client's `fetch`: every Web API call waits for the pacer first, so
 * every client built with these options (ours and Bolt's) shares one
 * allowance per method. The request timeout starts once the call is let
 * through, so time spent waiting its turn never counts as Slack being slow.
 * A 429 pauses the method (or channel) for the `Retry-After` Slack sent.
 */
export function pacedFetch(pacer: Pacer, options: { timeoutMs: number; fetch?: FetchFunction }): FetchFunction {
  const send: FetchFunction = options.fetch ?? globalThis.fetch;
  return async (url, init) => {
    const method = METHOD.exec(new URL(String(url)).pathname)?.[1];
    const channel = method && channelOf(init?.body);
    if (method) await pacer.acquire(method, channel);
    const res = await send(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    if (method && res.status === 429) {
      const seconds = Number(res.headers.get('retry-after'));
      pacer.pause(method, channel, (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000);
    }
    return res;
  };
}
