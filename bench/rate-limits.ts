/**
 * 30 declarations at once against a fake Slack that enforces Slack's rate
 * limits at Slack's own speed, and the real bot process pacing itself.
 * Reports how long until every war room, pinned card, topic and announcement
 * is there, beside the least time the limits allow; the number of 429s; and
 * the slowest announcement, beside the time 30 posts in one channel take.
 */
import { declarationCalls, SlackRateLimits } from '../test/support/fake-slack/limits.js';
import { postSigned } from '../test/support/signed.js';
import { startBenchBot } from './support.js';

const DECLARATIONS = 30;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Inspected {
  channels: { id: string; name: string; topic: string; pins: string[] }[];
  messages: { channel: string; text: string; receivedAt: number }[];
  limits: { refused: { method: string }[]; calls: Record<string, number> };
}

export async function rateLimitBench(): Promise<string[]> {
  const bench = await startBenchBot({ limits: true });
  const { slack, bot, sql } = bench;
  const inspect = async (): Promise<Inspected> => {
    const get = async <T>(path: string) => (await (await fetch(`${slack.url}${path}`)).json()) as T;
    const [c, m, l] = await Promise.all([
      get<Pick<Inspected, 'channels'>>('/_inspect/channels'),
      get<Pick<Inspected, 'messages'>>(`/_inspect/messages?prefix=${encodeURIComponent('INCIDENT ALERT ')}`),
      get<Inspected['limits']>('/_inspect/limits'),
    ]);
    return { channels: c.channels, messages: m.messages, limits: l };
  };
  try {
    const started = Date.now();
    await Promise.all(
      Array.from({ length: DECLARATIONS }, (_, n) =>
        postSigned(
          `${bot.url}/slack/events`,
          new URLSearchParams({
            token: 'x',
            team_id: 'T0BENCH0001',
            channel_id: 'C0BENCH0001',
            user_id: ['U0DECLARER', 'U0RESPOND1', 'U0RESPOND2'][n % 3]!,
            user_name: 'bench',
            command: '/incident',
            text: `declare P1 Rate limited ${n}`,
            response_url: `${slack.url}/respond/rl${n}`,
            trigger_id: `${Date.now()}.${n}.rl`,
          }).toString(),
          'application/x-www-form-urlencoded',
        ),
      ),
    );
    let state: Inspected | undefined;
    let finished = 0;
    for (const deadline = Date.now() + 6 * 60_000; !finished && Date.now() < deadline; await sleep(200)) {
      const { rows } = await sql.query<{ id: string; channel_id: string | null; card_ts: string | null }>(
        'SELECT id, channel_id, card_ts FROM incidents',
      );
      state = await inspect();
      const byId = new Map(state.channels.map((c) => [c.id, c]));
      const done = rows.filter((r) => {
        const room = r.channel_id ? byId.get(r.channel_id) : undefined;
        return (
          room?.topic &&
          room.pins.includes(r.card_ts!) &&
          state!.messages.some((m) => m.text.startsWith(`INCIDENT ALERT ${r.id} `))
        );
      });
      if (rows.length === DECLARATIONS && done.length === DECLARATIONS) finished = Date.now();
    }
    if (!state || !finished) throw new Error('the rate-limited burst did not finish within 6 minutes');
    const incidents = state.channels.find((c) => c.name === 'incidents')!;
    const limits = new SlackRateLimits(1);
    const forced = limits.forcedMs(declarationCalls(DECLARATIONS, incidents.id));
    const announcementsForced = limits.forcedMs({ [`chat.postMessage ${incidents.id}`]: DECLARATIONS });
    const elapsed = finished - started;
    const slowest = Math.max(...state.messages.map((m) => m.receivedAt)) - started;
    const rooms = state.channels.filter((c) => /^inc-/.test(c.name)).length;
    const refused = state.limits.refused;
    const byMethod = new Map<string, number>();
    for (const r of refused) byMethod.set(r.method, (byMethod.get(r.method) ?? 0) + 1);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const ratio = elapsed / forced;
    return [
      `${DECLARATIONS} declarations under Slack's limits: every room, pinned card, topic and announcement after ${s(elapsed)} | the limits force ${s(forced)} (Tier 2 conversations.create, setTopic, pins.add) | ratio ${ratio.toFixed(2)}x (goal ≤ 1.20x) ${ratio <= 1.2 ? 'OK' : 'MISSED'}`,
      `answers of 429: ${refused.length}${byMethod.size ? ` (${[...byMethod].map(([m, n]) => `${m} ${n}`).join(', ')})` : ''} | conversations.history look-ups spent: ${state.limits.calls['conversations.history'] ?? 0}`,
      `slowest announcement: ${s(slowest)} after the burst began | 30 posts in one channel take at least ${s(announcementsForced)}`,
      `war rooms: ${rooms} for ${DECLARATIONS} incidents; announcements: ${state.messages.length} (goal: one each) ${rooms === DECLARATIONS && state.messages.length === DECLARATIONS ? 'OK' : 'MISSED'}`,
    ];
  } finally {
    await bench.stop();
  }
}
