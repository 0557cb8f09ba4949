/**
 * How the history bench talks to the real bot: slash commands and button
 * clicks signed as Slack sends them, with each `response_url` pointing at a
 * local sink that notes when the reply arrives; `/metrics` read as Prometheus would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockAction } from '../src/playground/slack/payloads.js';
import { postSigned } from '../test/support/signed.js';

/** A reply the bot sent to a response_url: when it arrived, and what it said. */
export interface Reply {
  readonly at: number;
  readonly body: { text?: string; blocks?: { type: string; elements?: { action_id: string; value: string }[] }[] };
}

/** Receives the bot's replies; `wait(path)` resolves when the one for `path` has arrived. */
export async function replySink() {
  const arrived = new Map<string, Reply>();
  const waiting = new Map<string, (r: Reply) => void>();
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => {
      raw += d.toString();
    });
    req.on('end', () => {
      const reply = { at: performance.now(), body: JSON.parse(raw || '{}') as Reply['body'] };
      arrived.set(req.url ?? '', reply);
      waiting.get(req.url ?? '')?.(reply);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    wait(path: string, ms = 30_000): Promise<Reply> {
      const done = arrived.get(path);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: no reply on ${path}`)), ms);
        waiting.set(path, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Sink = Awaited<ReturnType<typeof replySink>>;
let sent = 0;

/** `/incident <text>` to the bot; resolves with the time from sending to the reply's arrival, and the reply. */
export async function command(botUrl: string, sink: Sink, text: string): Promise<{ ms: number; reply: Reply }> {
  const path = `/r/${++sent}`;
  const body = new URLSearchParams({
    token: 'x',
    api_app_id: 'A0FIREAPP1',
    team_id: 'T0FIREBRK1',
    team_domain: 'bench',
    channel_id: 'C0BENCH0001',
    channel_name: 'general',
    user_id: 'U0DECLARER',
    user_name: 'dana',
    command: '/incident',
    text,
    response_url: `${sink.url}${path}`,
    trigger_id: `${Date.now()}.${sent}.bench`,
    is_enterprise_install: 'false',
  }).toString();
  const started = performance.now();
  const ack = await postSigned(`${botUrl}/slack/events`, body, 'application/x-www-form-urlencoded');
  if (ack.status !== 200) throw new Error(`bench: /incident ${text} answered ${ack.status}`);
  const reply = await sink.wait(path);
  return { ms: reply.at - started, reply };
}

/** Clicks a page button the bot rendered; resolves like `command`. */
export async function click(
  botUrl: string,
  sink: Sink,
  actionId: string,
  value: string,
): Promise<{ ms: number; reply: Reply }> {
  const path = `/r/${++sent}`;
  const payload = blockAction({
    actionId,
    value,
    user: 'U0DECLARER',
    channel: 'C0BENCH0001',
    messageTs: '1700000000.000100',
    responseUrl: `${sink.url}${path}`,
    triggerId: `${Date.now()}.${sent}.bench`,
  });
  const started = performance.now();
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  await postSigned(`${botUrl}/slack/events`, body, 'application/x-www-form-urlencoded');
  const reply = await sink.wait(path);
  return { ms: reply.at - started, reply };
}

/** The value of a button in a reply, by action ID. */
export function buttonValue(reply: Reply, actionId: string): string {
  for (const block of reply.body.blocks ?? [])
    for (const e of block.elements ?? []) if (e.action_id === actionId) return e.value;
  throw new Error(`bench: no ${actionId} button in the reply`);
}

/** One scrape of /metrics: its latency, and each sample by name and labels. */
export async function scrape(botUrl: string): Promise<{ ms: number; samples: Map<string, number> }> {
  const started = performance.now();
  const text = await (await fetch(`${botUrl}/metrics`)).text();
  const ms = performance.now() - started;
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) samples.set(m[1]!, Number(m[2]));
  }
  return { ms, samples };
}

const MAJOR = 'firebreak_process_nodejs_gc_duration_seconds_count{kind="major"}';
const MAJOR_SECONDS = 'firebreak_process_nodejs_gc_duration_seconds_sum{kind="major"}';

/**
 * Samples the bot's own GC metrics (perf_hooks GC entries, via prom-client) once
 * a second: the most major GCs in any one second, and the share of time spent in them.
 */
export function gcWatch(botUrl: string) {
  const counts: { at: number; majors: number; seconds: number }[] = [];
  const sample = async () => {
    const { samples } = await scrape(botUrl);
    counts.push({ at: performance.now(), majors: samples.get(MAJOR) ?? 0, seconds: samples.get(MAJOR_SECONDS) ?? 0 });
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await sample();
      timer = setInterval(() => void sample().catch(() => undefined), 1000);
    },
    async stop() {
      clearInterval(timer);
      await sample();
      const first = counts[0]!;
      const last = counts.at(-1)!;
      let worst = 0;
      for (let n = 1; n < counts.length; n++) worst = Math.max(worst, counts[n]!.majors - counts[n - 1]!.majors);
      return {
        majors: last.majors - first.majors,
        worstSecond: worst,
        share: (last.seconds - first.seconds) / ((last.at - first.at) / 1000),
        seconds: (last.at - first.at) / 1000,
      };
    },
  };
}
