import type { HttpAnswer, HttpRequest } from '../../../src/playground/slack/http.js';
import type { SlackWorkspace } from '../../../src/playground/slack/workspace.js';
import type { SlackRateLimits } from './limits.js';
import type { SlackCall } from './server.js';

/** What the inspection endpoints read: the workspace, the calls answered and the rate limits if on. */
export interface Inspected {
  readonly workspace: SlackWorkspace;
  readonly calls: readonly SlackCall[];
  readonly limits?: SlackRateLimits;
}

/** `POST /_inspect/say`'s body: `count` messages `text 0`, `text 1`… from `user` in `channel`. */
interface SayRequest {
  channel: string;
  user: string;
  count: number;
  text: string;
}

/**
 * The `/_inspect/*` endpoints, for a test or bench whose fake runs in another
 * process: `say` (people typing), `channels`, `messages` (by text prefix) and
 * `limits` (calls per method and those refused). Answers undefined for any
 * other request.
 */
export function inspect(target: Inspected, req: HttpRequest): HttpAnswer | undefined {
  const { workspace } = target;
  switch (req.url.pathname) {
    case '/_inspect/say': {
      if (req.method !== 'POST') return undefined;
      const { channel, user, count, text } = JSON.parse(req.raw) as SayRequest;
      const ts = Array.from({ length: count }, (_, n) => workspace.say(channel, user, `${text} ${n}`));
      return { status: 200, body: { ok: true, ts } };
    }
    case '/_inspect/channels': {
      const channels = [...workspace.channels.values()]
        .filter((c) => !c.is_im)
        .map((c) => ({ id: c.id, name: c.name, topic: c.topic, pins: [...c.pins], messages: c.messages.length }));
      return { status: 200, body: { ok: true, channels } };
    }
    case '/_inspect/limits': {
      const calls: Record<string, number> = {};
      for (const c of target.calls) if (c.status !== 429) calls[c.method] = (calls[c.method] ?? 0) + 1;
      const refused = target.limits?.refused ?? [];
      return { status: 200, body: { ok: true, on: !!target.limits, refused, calls } };
    }
    case '/_inspect/messages': {
      const prefix = req.url.searchParams.get('prefix') ?? '';
      const messages = [...workspace.channels.values()].flatMap((c) =>
        c.messages
          .filter((m) => m.text.startsWith(prefix))
          .map((m) => ({ channel: c.id, ts: m.ts, text: m.text, receivedAt: m.receivedAt })),
      );
      return { status: 200, body: { ok: true, messages } };
    }
    default:
      return undefined;
  }
}
