import { TEAM_ID } from '../../../src/playground/slack/workspace.js';

/**
 * Slack's Web API rate limits as the fake enforces them, written from Slack's
 * documentation alone and never from the bot's pacer (src/slack/rate-limits.ts),
 * so that the two can disagree and a test catches it (test/unit/fake-slack-limits):
 * - docs.slack.dev/apis/web-api/rate-limits: limits apply "per API method per
 *   app per workspace"; Tier 1 is 1+ per minute, Tier 2 20+, Tier 3 50+, Tier 4
 *   100+. The fake allows exactly the published floor.
 * - chat.postMessage is "Special": "one message per second per channel", "short
 *   bursts >1 allowed". Its workspace-wide limit has no published number and is
 *   not modelled.
 * - Each method's tier is the one its reference page (docs.slack.dev/reference/methods/…)
 *   states. A method missing here is a gap in the fake, not "Tier 2": it is let
 *   through unlimited and listed in `undocumented`, which rate-limit tests check.
 * Slack publishes no burst sizes ("a small amount … tolerated", "occasional",
 * "sporadic … welcome", "generous"); the fake allows few, so it errs strict.
 */
export interface Limit {
  readonly perMinute: number;
  readonly burst: number;
}

const TIER: Readonly<Record<1 | 2 | 3 | 4, Limit>> = {
  1: { perMinute: 1, burst: 1 },
  2: { perMinute: 20, burst: 3 },
  3: { perMinute: 50, burst: 5 },
  4: { perMinute: 100, burst: 10 },
};

/** The tier each method's reference page gives. */
const REFERENCE_PAGES: Readonly<Record<1 | 2 | 3 | 4, readonly string[]>> = {
  1: [],
  2: ['conversations.create', 'conversations.list', 'conversations.setTopic', 'pins.add', 'usergroups.users.list'],
  3: [
    'chat.update',
    'chat.delete',
    'conversations.history',
    'conversations.info',
    'conversations.invite',
    'conversations.join',
    'conversations.open',
    'conversations.replies',
    'users.lookupByEmail',
  ],
  4: [
    'chat.postEphemeral',
    'users.info',
    'views.open',
    'views.push',
    'views.update',
    'files.getUploadURLExternal',
    'files.completeUploadExternal',
  ],
};

/**
 * Methods whose pages say "Special" without a number; the fake holds them to
 * Tier 4, the most any numbered tier promises.
 */
const SPECIAL_UNNUMBERED = ['auth.test', 'chat.getPermalink'];

/** "One message per second per channel", short bursts allowed. */
const POST_PER_CHANNEL: Limit = { perMinute: 60, burst: 3 };

const DOCUMENTED = new Map<string, Limit>([
  ...Object.entries(REFERENCE_PAGES).flatMap(([tier, methods]) =>
    methods.map((m) => [m, TIER[Number(tier) as 1 | 2 | 3 | 4]] as const),
  ),
  ...SPECIAL_UNNUMBERED.map((m) => [m, TIER[4]] as const),
  ['chat.postMessage', POST_PER_CHANNEL],
]);

interface Bucket {
  tokens: number;
  at: number;
}

/** A token bucket per workspace and method (and channel, for chat.postMessage); `speedup` runs Slack's clock faster. */
export class SlackRateLimits {
  private readonly buckets = new Map<string, Bucket>();
  /** Every call answered 429, in order. */
  readonly refused: { method: string; key: string; at: number }[] = [];
  /** Methods called that the fake has no documented limit for (let through). */
  readonly undocumented = new Set<string>();

  constructor(readonly speedup = 1) {}

  /** The documented limit of a method, before speedup; undefined when the fake has none written down. */
  static limitOf(method: string): Limit | undefined {
    return DOCUMENTED.get(method);
  }

  /** Every method the fake has a documented limit for. */
  static documented(): string[] {
    return [...DOCUMENTED.keys()];
  }

  /**
   * Counts a call of `method` (to `channel`) in workspace `team`; returns 0
   * when Slack lets it through, else the whole seconds of `Retry-After` Slack
   * would send.
   */
  take(method: string, channel: string | undefined, team = TEAM_ID): number {
    const limit = SlackRateLimits.limitOf(method);
    if (!limit) {
      this.undocumented.add(method);
      return 0;
    }
    const rate = (limit.perMinute * this.speedup) / 60_000;
    const key = method === 'chat.postMessage' ? `${team} ${method} ${channel ?? ''}` : `${team} ${method}`;
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
      if (!limit) throw new Error(`the fake has no documented limit for ${key}`);
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
