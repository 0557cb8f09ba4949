/**
 * Slack's published Web API rate limits, per method per workspace
 * (docs.slack.dev/apis/web-api/rate-limits and each method's "Rate limits"
 * fact). Slack publishes the per-minute floor of each tier and only says
 * bursts are "tolerated" or "welcome", so the bursts here are small on purpose.
 */
export interface RateLimit {
  /** Calls allowed per minute, sustained. */
  readonly perMinute: number;
  /** Calls allowed at once after a quiet spell. */
  readonly burst: number;
}

const TIERS: Readonly<Record<1 | 2 | 3 | 4, RateLimit>> = {
  1: { perMinute: 1, burst: 1 },
  2: { perMinute: 20, burst: 3 },
  3: { perMinute: 50, burst: 5 },
  4: { perMinute: 100, burst: 10 },
};

const METHOD_TIERS: Readonly<Record<string, 1 | 2 | 3 | 4>> = {
  'conversations.create': 2,
  'conversations.list': 2,
  'conversations.setTopic': 2,
  'pins.add': 2,
  'usergroups.users.list': 2,
  'chat.update': 3,
  'chat.delete': 3,
  'conversations.history': 3,
  'conversations.replies': 3,
  'conversations.info': 3,
  'conversations.invite': 3,
  'conversations.join': 3,
  'conversations.open': 3,
  'users.info': 4,
  'users.lookupByEmail': 3,
  'views.open': 4,
  'views.update': 4,
  'views.push': 4,
  'chat.postEphemeral': 4,
  'chat.getPermalink': 4,
  'auth.test': 4,
  'files.getUploadURLExternal': 4,
  'files.completeUploadExternal': 4,
};

/** chat.postMessage is Slack's "special" tier: about one message per second per channel, short bursts allowed. */
const POST_MESSAGE: RateLimit = { perMinute: 60, burst: 3 };

/** Methods limited per channel rather than per workspace. */
export const PER_CHANNEL = new Set(['chat.postMessage']);

/**
 * The limit of a Web API method; a method not listed gets Tier 2, the floor
 * of "most methods". `speedup` scales the rates, for tests against a fake
 * Slack that runs its clock faster.
 */
export function slackLimit(method: string, speedup = 1): RateLimit {
  const base = method === 'chat.postMessage' ? POST_MESSAGE : TIERS[METHOD_TIERS[method] ?? 2];
  return { perMinute: base.perMinute * speedup, burst: base.burst };
}
