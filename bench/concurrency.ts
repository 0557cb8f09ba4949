/**
 * 60 commands at once from seven people on one incident, beside the same 60
 * spread over 20 incidents, against the real bot process (Slack pacing on, as
 * in production). Reports the ack p99 and the time from sending a command to
 * its entry being on the timeline; the spread case is the baseline, since it
 * has no contention on one incident row.
 */
import { postSigned } from '../test/support/signed.js';
import { percentile, startBenchBot } from './support.js';

const COMMANDS = 60;
const ROOMS = 20;
const ROUNDS = 6;
const PEOPLE = ['U0DECLARER', 'U0RESPOND1', 'U0RESPOND2', 'U0PEOPLE04', 'U0PEOPLE05', 'U0PEOPLE06', 'U0PEOPLE07'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function body(slackUrl: string, user: string, text: string, n: number): string {
  return new URLSearchParams({
    token: 'x',
    api_app_id: 'A0BENCH0001',
    team_id: 'T0BENCH0001',
    team_domain: 'bench',
    channel_id: 'C0BENCH0001',
    channel_name: 'general',
    user_id: user,
    user_name: 'bench',
    command: '/incident',
    text,
    response_url: `${slackUrl}/respond/cc${n}`,
    trigger_id: `${Date.now()}.${n}.${Math.random().toString(16).slice(2)}`,
    is_enterprise_install: 'false',
  }).toString();
}

/** The n-th command of a burst: notes, updates and follow-ups, each with a marker to find it by. */
function text(id: string, marker: string, n: number): string {
  if (n % 5 === 3) return `update ${id} ${marker} rolled back the canary`;
  if (n % 5 === 4) return `followup ${id} ${marker} alert on pool saturation`;
  return `note ${id} ${marker} saw 502s from the load balancer`;
}

export async function concurrencyBench(): Promise<string[]> {
  const bench = await startBenchBot();
  const { slack, bot, sql } = bench;
  let sent = 0;
  const send = (user: string, t: string) =>
    postSigned(`${bot.url}/slack/events`, body(slack.url, user, t, sent++), 'application/x-www-form-urlencoded');
  try {
    for (let n = 0; n <= ROOMS; n++) await send('U0DECLARER', `declare P3 Bench incident ${n}`);
    const ids = (
      await sql.query<{ id: string }>(`SELECT id FROM incidents ORDER BY id`).then(async (r) => {
        for (let tries = 0; r.rows.length <= ROOMS && tries < 200; tries++) {
          await sleep(50);
          r = await sql.query<{ id: string }>(`SELECT id FROM incidents ORDER BY id`);
        }
        return r;
      })
    ).rows.map((r) => r.id);
    const results = {
      one: { ack: [] as number[], recorded: [] as number[] },
      spread: { ack: [] as number[], recorded: [] as number[] },
    };
    let lost = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const shape of ['one', 'spread'] as const) {
        const tag = `[${shape}${round}-`;
        const started = new Map<string, number>();
        const acks = await Promise.all(
          Array.from({ length: COMMANDS }, (_, n) => {
            const marker = `${tag}${n}]`;
            const id = shape === 'one' ? ids[0]! : ids[1 + (n % ROOMS)]!;
            started.set(marker, Date.now());
            return send(PEOPLE[n % PEOPLE.length]!, text(id, marker, n));
          }),
        );
        for (const a of acks) {
          if (a.status !== 200) throw new Error(`ack status ${a.status}`);
          results[shape].ack.push(a.ms);
        }
        const seen = new Map<string, number>();
        const deadline = Date.now() + 30_000;
        while (seen.size < COMMANDS && Date.now() < deadline) {
          const { rows } = await sql.query<{ text: string }>('SELECT text FROM timeline WHERE text LIKE $1', [
            `%${tag}%`,
          ]);
          const now = Date.now();
          for (const r of rows) {
            const marker = /\[[a-z]+\d+-\d+\]/.exec(r.text)?.[0];
            if (marker && !seen.has(marker)) seen.set(marker, now);
          }
          await sleep(5);
        }
        lost += COMMANDS - seen.size;
        for (const [marker, at] of seen) results[shape].recorded.push(at - started.get(marker)!);
        await sleep(500);
      }
    }
    const fmt = (v: number) => `${v.toFixed(0)} ms`;
    const line = (label: string, r: { ack: number[]; recorded: number[] }) =>
      `${label}: ack p50 ${fmt(percentile(r.ack, 50))}, p99 ${fmt(percentile(r.ack, 99))} | sent → recorded p50 ${fmt(percentile(r.recorded, 50))}, p99 ${fmt(percentile(r.recorded, 99))}, max ${fmt(Math.max(...r.recorded))}`;
    const ratio = percentile(results.one.recorded, 99) / percentile(results.spread.recorded, 99);
    return [
      line(`${COMMANDS} commands at once on one incident (${ROUNDS} rounds)`, results.one),
      line(`baseline: the same ${COMMANDS} spread over ${ROOMS} incidents`, results.spread),
      `time-to-recorded p99, one incident / spread: ${ratio.toFixed(2)}x | commands not recorded within 30 s: ${lost} (goal 0) ${lost === 0 ? 'OK' : 'MISSED'}`,
    ];
  } finally {
    await bench.stop();
  }
}
