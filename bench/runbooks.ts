/**
 * Runbook latency against the fake API server: from `/incident run` to the
 * approval card reaching Slack (dry run included), and from the Approve click
 * to the applied patch reaching the API server, with and without status churn
 * (pods failing and recovering readiness, each flap a status write that moves
 * resourceVersion) running while the approval waits. Beside them, the floor
 * measured in the same run: the same dry-run PATCH and the same real PATCH
 * sent straight from @kubernetes/client-node, with no bot in between.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { createLogger } from '../src/log.js';
import { FakeKube } from '../src/playground/kube/server.js';
import { blockAction } from '../src/playground/slack/payloads.js';
import { createPool } from '../src/postgres/pool.js';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../test/support/db.js';
import { sendCommand } from '../test/support/harness.js';
import { BotProcess } from '../test/support/processes.js';
import { postSigned } from '../test/support/signed.js';
import { dropRedisPrefix, fakeSlackProcess, percentile, slackEnv } from './support.js';

/** 100 runs per arm by default, so p99 is not just the slowest run (BENCH_RUNBOOK_RUNS to change). */
const RUNS = Number(process.env.BENCH_RUNBOOK_RUNS ?? 200);
/** Every other run has status churn going from the card until its patch is applied. */
const churned = (n: number) => n % 2 === 1;
const CHURN_EVERY_MS = 25;

export async function runbookBench(): Promise<string[]> {
  const kube = await new FakeKube().start();
  kube.cluster.stepMs = 5;
  const names = Array.from({ length: RUNS }, (_, n) => `svc-${n}`);
  for (const n of names) kube.cluster.addDeployment('bench', n, { image: 'bench/app:1', replicas: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-playbooks-'));
  writeFileSync(
    join(dir, 'bench-restart.yaml'),
    `id: bench-restart\ntitle: Bench restart\ndescription: Restart for the bench\nseverities: [P1]\nnamespaces: [bench]\nparams:\n  deployment: { type: enum, values: [${names.join(', ')}] }\nsteps:\n  - action: rollout-restart\n    namespace: bench\n    deployment: "{{deployment}}"\n`,
  );
  const slack = await fakeSlackProcess();
  const db = await createTestDatabase();
  const prefix = redisPrefix();
  const pool = createPool(db.url, createLogger({ level: 'silent' }), { max: 2 });
  const bot = new BotProcess({
    ...slackEnv(slack),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    // 60 runs share one war room: paced, its card posts and edits go at Slack's one a second per channel.
    SLACK_PACING: process.env.BENCH_RUNBOOK_PACING ?? 'off',
    KUBECONFIG: kube.kubeconfig(),
    PLAYBOOKS_DIR: dir,
  });
  try {
    await bot.start();
    const remote = {
      url: slack.url,
      issueTrigger: () => `${Date.now()}.${Math.random()}`,
      channelByName: () => ({ id: 'C0GENERAL01' }),
      channels: new Map(),
    };
    await sendCommand(bot.url, remote as never, 'declare P1 Runbook bench');
    const room = await waitForValue(
      async () =>
        (await pool.query<{ channel_id: string | null }>('SELECT channel_id FROM incidents LIMIT 1')).rows[0]
          ?.channel_id,
    );
    const cardTimes: number[] = [];
    const approveTimes: number[] = [];
    const churnTimes: number[] = [];
    /** Click → the bot's first read of the deployment: the approval's own path (Slack, Postgres, the job queue). */
    const toRead: number[] = [];
    let conflicts = 0;
    for (const [n, name] of names.entries()) {
      const sent = Date.now();
      await sendCommand(bot.url, remote as never, `run bench-restart deployment=${name}`, {
        channel: room,
        user: 'U0RESPOND1',
      });
      const run = await waitForValue(
        async () =>
          (
            await pool.query<{ id: string; card_ts: string | null }>(
              `SELECT id, card_ts FROM runbook_runs WHERE target = $1 AND card_ts IS NOT NULL`,
              [`bench/${name}`],
            )
          ).rows[0],
      );
      const posted = (
        (await (
          await fetch(`${slack.url}/_inspect/messages?prefix=${encodeURIComponent('Approval needed')}`)
        ).json()) as { messages: { ts: string; receivedAt: number; blocks?: unknown }[] }
      ).messages.find((m) => m.ts === run.card_ts)!;
      cardTimes.push(posted.receivedAt - sent);
      const stop = churned(n) ? kube.cluster.churn('bench', name, CHURN_EVERY_MS) : undefined;
      if (stop) {
        const rv = Number(kube.cluster.get('deployments', 'bench', name)!.metadata.resourceVersion);
        await waitForValue(
          async () => Number(kube.cluster.get('deployments', 'bench', name)!.metadata.resourceVersion) > rv + 5,
        );
      }
      const token = await cardToken(pool, run.id);
      const from = kube.requests.length;
      const clickAt = Date.now();
      const payload = blockAction({
        actionId: 'runbook_approve',
        value: `${run.id}.${token}`,
        user: 'U0DECLARER',
        channel: room,
        messageTs: run.card_ts!,
        responseUrl: `${slack.url}/respond/b-${run.id}`,
        triggerId: `${Date.now()}.1`,
        blockId: `run_${run.id}`,
      });
      await postSigned(
        `${bot.url}/slack/events`,
        new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
        'application/x-www-form-urlencoded',
      );
      const applied = (r: (typeof kube.requests)[number]) =>
        r.method === 'PATCH' && !r.dryRun && r.path.endsWith(`/deployments/${name}`) && r.status === 200;
      // Patient: a step retried after status writes outran it shows in p99 instead of ending the bench.
      const patch = await waitForValue(async () => kube.requests.slice(from).find(applied), 60_000);
      stop?.();
      const read = kube.requests
        .slice(from)
        .find((r) => r.method === 'GET' && r.path.split('?')[0]!.endsWith(`/deployments/${name}`));
      if (read) toRead.push(read.at - clickAt);
      conflicts += kube.requests.slice(from).filter((r) => r.method === 'PATCH' && r.status === 409).length;
      (stop ? churnTimes : approveTimes).push(patch.at - clickAt);
    }
    const floor = await directFloor(kube);
    const reasked = (
      await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM runbook_audit WHERE event = 'changed'`)
    ).rows[0]!.n;
    const fmt = (v: number) => `${v.toFixed(0)} ms`;
    const line = (what: string, xs: number[], goal: number, floorXs: number[], floorWhat: string) =>
      `${what}: p50 ${fmt(percentile(xs, 50))}, p99 ${fmt(percentile(xs, 99))} (goal p99 < ${goal} ms) ${percentile(xs, 99) < goal ? 'OK' : 'MISSED'} | ${floorWhat}: p50 ${fmt(percentile(floorXs, 50))}, p99 ${fmt(percentile(floorXs, 99))}`;
    return [
      `${RUNS} runs, each on its own deployment; every other one with status churn (a readiness flap every ${CHURN_EVERY_MS} ms) from its card to its patch`,
      line(
        'command → approval card in Slack (dry run included)',
        cardTimes,
        300,
        floor.dryRun,
        'client-node dry-run PATCH alone',
      ),
      line(
        'Approve → applied patch at the API server, no churn',
        approveTimes,
        150,
        floor.patch,
        'client-node PATCH alone',
      ),
      line(
        'Approve → applied patch at the API server, with churn',
        churnTimes,
        150,
        floor.patch,
        'client-node PATCH alone',
      ),
      `  of which click → the bot's first read of the deployment (guards, Postgres, the job queue): p50 ${fmt(percentile(toRead, 50))}, p99 ${fmt(percentile(toRead, 99))}`,
      `status writes that raced a patch, retried on a fresh read (RetryOnConflict): ${conflicts} in ${churnTimes.length} churned runs; approvals asked again: ${reasked}`,
    ];
  } finally {
    await bot.stop();
    await pool.end();
    slack.stop();
    await db.drop();
    await dropRedisPrefix(REDIS_URL, prefix);
    await kube.stop();
  }
}

/** The floor: the same strategic-merge PATCH sent straight from client-node, dry run and real. */
async function directFloor(kube: FakeKube): Promise<{ dryRun: number[]; patch: number[] }> {
  // client-node as it comes, a new connection per call (the bot keeps its connections alive).
  const kc = new KubeConfig();
  kc.loadFromFile(kube.kubeconfig());
  const apps = kc.makeApiClient(AppsV1Api);
  const out = { dryRun: [] as number[], patch: [] as number[] };
  for (let n = 0; n < RUNS; n++) {
    for (const dryRun of [true, false]) {
      const start = performance.now();
      await apps.patchNamespacedDeployment(
        {
          namespace: 'bench',
          name: `svc-${n}`,
          body: { spec: { template: { metadata: { annotations: { floor: `${n}-${dryRun}` } } } } },
          ...(dryRun && { dryRun: 'All' }),
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
      (dryRun ? out.dryRun : out.patch).push(performance.now() - start);
    }
  }
  return out;
}

/** The preview token the run's card carries on its buttons. */
async function cardToken(pool: ReturnType<typeof createPool>, runId: string): Promise<string> {
  const { rows } = await pool.query<{ token: string }>(
    `SELECT preview->>'token' AS token FROM runbook_runs WHERE id = $1`,
    [runId],
  );
  return rows[0]!.token;
}

async function waitForValue<T>(check: () => Promise<T | null | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}
