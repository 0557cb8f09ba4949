import { sign as signWith } from '../../src/playground/slack/sign.js';

export const SIGNING_SECRET = 'test-signing-secret-5e3c1f0a9b';

/** Slack's v0 request signature over `v0:<timestamp>:<body>`, by default with the tests' signing secret. */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return signWith(body, timestamp, secret);
}

export interface PostResult {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

/** POSTs a body to the bot as Slack would, signed unless told otherwise. */
export async function postSigned(
  url: string,
  body: string,
  contentType: string,
  options: { timestamp?: number; signature?: string; headers?: Record<string, string> } = {},
): Promise<PostResult> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? sign(body, timestamp),
      ...options.headers,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}
