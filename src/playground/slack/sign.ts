import { createHmac } from 'node:crypto';

/** Slack's v0 request signature over `v0:<timestamp>:<body>`, as the `x-slack-signature` header carries it. */
export function sign(body: string, timestamp: number, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** What the app answered to a signed request. */
export interface Delivered {
  readonly status: number;
  readonly body: string;
}

/** POSTs `body` to an app as Slack does: signed with the app's signing secret, timestamped now. */
export async function postSigned(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<Delivered> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(body, timestamp, secret),
      ...headers,
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
