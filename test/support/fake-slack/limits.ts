/**
 * Slack's Web API rate limits as the fake Slack enforces them, written from
 * Slack's rate-limit documentation (docs.slack.dev/apis/web-api/rate-limits:
 * Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, "special"
 * chat.postMessage about 1 per second per channel with short bursts) and each
 * method's reference page; kept apart from the bot's own table on purpose.
 * Slack does not publish burst sizes; these are small.
 */
const TIERS = {
  1: { perMinute: 1, burst: 1 },
  2: { perMinute: 20, burst: 3 },
  3: { perMinute: 50, burst: 5 },
  4: { perMinute: 100, burst: 10 },
} as const;

const TIER_OF: Record<string, keyof typeof TIERS> = {
  'conversations.create': 2,
  'conversations.list': 2,
  'conversations.setTopic': 2,
  'pins.add': 2,
  'usergroups.users.list': 2,
  'chat.update': 3,
  'conversations.history': 3,
  'conversations.replies': 3,
  'conversations.info': 3,
  'conversations.invite': 3,
  'conversations.join': 3,
  'conversations.open': 3,
  'users.info': 4,
  'users.lookupByEmail': 3,
  'views.open': 4,
  'views.push': 4,
  'chat.postEphemeral': 4,
  'chat.getPermalink': 4,
  'auth.test': 4,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
};

const PER_CHANNEL_POST = { perMinute: 60, burst: 3 };

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per method (per channel for chat.postMessage); `speedup` runs Slack's clock faster. */
export class SlackRateLimits {
  private readonly buckets = new Map<string, Bucket>();
  /** Every call answered 429, in order. */
  readonly refused: { method: string; key: string; at: number }[] = [];

  constructor(readonly speedup = 1) {}

  /** The limit a method has, before speedup. */
  static limitOf(method: string): { perMinute: number; burst: number } {
    return method === 'chat.postMessage' ? PER_CHANNEL_POST : TIERS[TIER_OF[method] ?? 2];
  }

  /**
   * Counts a call of `method` (to `channel`); returns 0 when Slack lets it
   * through, else the whole seconds of `Retry-After` Slack would send.
   */
  take(method: string, channel: string | undefined): number {
    const limit = SlackRateLimits.limitOf(method);
    const rate = (limit.perMinute * this.speedup) / 60_000;
    const key = method === 'chat.postMessage' ? `${method} ${channel ?? ''}` : method;
    const now = Date.now();
    const b = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    this.refused.push({ method, key, at: now });
    return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
  }

  /**
   * The least time the limits allow `calls` (method → count, or per channel
   * for chat.postMessage as `chat.postMessage <channel>`) to take, in ms.
   */
  forcedMs(calls: Readonly<Record<string, number>>): number {
    let worst = 0;
    for (const [key, n] of Object.entries(calls)) {
      const limit = SlackRateLimits.limitOf(key.split(' ')[0]!);
      const beyondBurst = Math.max(0, n - limit.burst);
      worst = Math.max(worst, (beyondBurst * 60_000) / (limit.perMinute * this.speedup));
    }
    return worst;
  }
}

/**
 * The calls `n` declarations of war-room severity must make at the least:
 * a room, its topic, its pinned card and its invitations each, and an
 * announcement in the incidents channel that is edited once the room exists.
 */
export function declarationCalls(n: number, incidentsChannel: string): Record<string, number> {
  return {
    'conversations.create': n,
    'conversations.setTopic': n,
    'pins.add': n,
    'conversations.invite': n,
    'chat.update': n,
    [`chat.postMessage ${incidentsChannel}`]: n,
  };
}
