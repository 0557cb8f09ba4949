/**
 * An alert storm: 300 firing Alertmanager groups sent within a minute to the
 * real bot process, against a fake Slack (in its own process) that enforces
 * Slack's rate limits at Slack's own speed. Reports what Slack received
 * (cards, the digest and its edits, answers of 429), how long until every
 * group was visible, and the slash-command ack latency during the storm beside
 * a bare Bolt app that only acks, measured in the same rounds.
 */
import { amAlert, amGroup, postAlerts } from '../test/support/alertmanager.js';
import { postSigned } from '../test/support/signed.js';
import { commandBody, measure, type Send } from './ack.js';
import { helperProcess, percentile, startBenchBot } from './support.js';

const GROUPS = 300;
const TOKEN = 'bench-alertmanager-token-0001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Inspected {
  messages: { text: string }[];
  limits: { refused: { method: string }[]; calls: Record<string, number> };
}

export async function stormBench(): Promise<string[]> {
  const bench = await startBenchBot({ limits: true, env: { ALERTMANAGER_TOKEN: TOKEN } });
  const floor = await helperProcess<{ url: string }>('./bare-bolt-process.js');
  const { slack, bot } = bench;
  const get = async <T>(path: string) => (await (await fetch(`${slack.url}${path}`)).json()) as T;
  const inspect = async (): Promise<Inspected> => ({
    messages: (await get<{ messages: { text: string }[] }>('/_inspect/messages?prefix=Alert')).messages,
    limits: await get<Inspected['limits']>('/_inspect/limits'),
  });
  let n = 0;
  const command =
    (url: string): Send =>
    (i) =>
      postSigned(
        `${url}/slack/events`,
        commandBody(i, `${slack.url}/respond/storm${i}`, `${Date.now()}.${i}.storm`, 'list'),
        'application/x-www-form-urlencoded',
      );
  try {
    const started = Date.now();
    const queue = Array.from({ length: GROUPS }, (_, i) => i);
    let received = 0;
    const sending = Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const group = amGroup({ alertname: 'NodeNotReady', node: `node-${i}` }, [
            amAlert(
              'NodeNotReady',
              'firing',
              { severity: 'warning', node: `node-${i}` },
              { summary: `node-${i} down` },
            ),
          ]);
          const res = await postAlerts(bot.url, group, `Bearer ${TOKEN}`);
          if (res.status === 200) received++;
        }
      }),
    );
    // Commands while the storm comes in, alternating with the floor so the machine's load hits both alike.
    const floorTimes: number[] = [];
    const ourTimes: number[] = [];
    let stormDone = false;
    const done = sending.then(() => {
      stormDone = true;
    });
    while (!stormDone || ourTimes.length < 100) {
      const [f = [], o = []] = await measure([command(floor.url), command(bot.url)], 5, 1);
      floorTimes.push(...f);
      ourTimes.push(...o);
      n++;
    }
    await done;
    const sentIn = Date.now() - started;
    let state: Inspected | undefined;
    let visibleAt = 0;
    for (const deadline = Date.now() + 5 * 60_000; !visibleAt && Date.now() < deadline; await sleep(200)) {
      state = await inspect();
      const cards = state.messages.filter((m) => m.text.startsWith('Alert (')).length;
      const digest = state.messages.find((m) => m.text.startsWith('Alert storm'));
      const inDigest = Number(/of (\d+) alert groups/.exec(digest?.text ?? '')?.[1] ?? 0);
      if (cards + inDigest === GROUPS) visibleAt = Date.now();
    }
    if (!state || !visibleAt) throw new Error('not every alert group was visible in Slack within 5 minutes');
    await sleep(3_000);
    state = await inspect();
    const cards = state.messages.filter((m) => m.text.startsWith('Alert (')).length;
    const digests = state.messages.filter((m) => m.text.startsWith('Alert storm')).length;
    const refused = state.limits.refused.length;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const [o50, o99, f50, f99] = [
      percentile(ourTimes, 50),
      percentile(ourTimes, 99),
      percentile(floorTimes, 50),
      percentile(floorTimes, 99),
    ];
    return [
      `groups received: ${received} of ${GROUPS}, sent in ${s(sentIn)} (goal: within a minute) | every group visible in Slack after ${s(visibleAt - started)}`,
      `posted to Slack: ${cards} cards and ${digests} digest, ${state.limits.calls['chat.update'] ?? 0} edits (digest and cards) | answers of 429: ${refused} (goal 0) ${refused === 0 ? 'OK' : 'MISSED'}`,
      `command ack during the storm (${ourTimes.length} requests in ${n} rounds): firebreak p50 ${o50.toFixed(2)} ms, p99 ${o99.toFixed(2)} ms | bare Bolt p50 ${f50.toFixed(2)} ms, p99 ${f99.toFixed(2)} ms | p99 ratio ${(o99 / f99).toFixed(2)}x`,
    ];
  } finally {
    floor.stop();
    await bench.stop();
  }
}
