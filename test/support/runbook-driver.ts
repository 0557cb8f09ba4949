import type pg from 'pg';
import type { FakeCluster } from '../../src/playground/kube/cluster.js';
import { FakeKube } from '../../src/playground/kube/server.js';
import { blockAction } from '../../src/playground/slack/payloads.js';
import type { FakeSlack } from './fake-slack/server.js';
import { type CommandOptions, replyOn, startHarness, waitFor } from './harness.js';
import { policyFile } from './policies.js';
import { shippedGrant } from './rbac.js';
import type { PostResult } from './signed.js';

/** The services our runbooks name, as the playbooks in playbooks/ reach them. */
export function seedServices(cluster: FakeCluster): void {
  const add = (ns: string, name: string, image: string, replicas: number) =>
    cluster.addDeployment(ns, name, { image, replicas, memory: '1Gi' });
  for (const name of ['auth-service', 'user-service', 'scheduler-service', 'ml-service'])
    add('adaptive-learning-production', name, `adaptive/${name}:2.4.0`, 2);
  cluster.addDeployment('ai-development', 'api-server', {
    image: 'ai/api-server:7.1.0',
    replicas: 3,
    memory: '1Gi',
    env: [
      { name: 'DB_POOL_SIZE', value: '20' },
      { name: 'DB_POOL_OVERFLOW', value: '5' },
    ],
  });
  add('ai-development', 'api-gateway', 'ai/gateway:3.0.2', 2);
  add('ai-development', 'auth-service', 'ai/auth:1.9.0', 2);
  add('education', 'education-revenue-engine', 'edu/revenue-engine:5.2.0', 2);
  add('studyteddy-production', 'backend-production', 'studyteddy/backend:12.3.1', 3);
  cluster.put('configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'api-gateway-config', namespace: 'ai-development' },
    data: { RATE_LIMIT_PER_MINUTE: '600', UPSTREAM_TIMEOUT: '30s' },
  });
}

/** Waits until every deployment of `namespace` has rolled out. */
export const settled = (cluster: FakeCluster, namespace: string) =>
  waitFor(
    () =>
      cluster.list('deployments', namespace).every((d) => {
        const s = d.status ?? {};
        return (
          s.updatedReplicas === d.spec.replicas &&
          s.availableReplicas === d.spec.replicas &&
          s.replicas === d.spec.replicas
        );
      }),
    15_000,
    `${namespace} to settle`,
  );

interface Bot {
  readonly slack: FakeSlack;
  command(text: string, from?: CommandOptions): Promise<PostResult & { responseUrl: string }>;
  interact(payload: Record<string, unknown>): Promise<PostResult>;
}

type Card = { ts: string; text: string; blocks?: unknown };

/**
 * Drives runbooks as people do in Slack, against one bot and one war room: requests, the card
 * of a run, clicks on its buttons (with the value the card carried), and what reached the cluster.
 */
export function runbookDriver(bot: Bot, kube: FakeKube, sql: pg.Pool) {
  let room = '';
  const messages = () => bot.slack.channels.get(room)?.messages ?? [];
  const row = async (runId: string) =>
    (await sql.query('SELECT * FROM runbook_runs WHERE id = $1', [runId])).rows[0] as
      | Record<string, unknown>
      | undefined;
  const cardOf = async (runId: string): Promise<Card | undefined> => {
    const ts = (await row(runId))?.card_ts as string | undefined;
    return ts ? messages().find((m) => m.ts === ts) : undefined;
  };
  const textOf = (m: Card | undefined) => JSON.stringify(m?.blocks ?? '');
  /** The button value a message carried when it last had buttons (a stale client still shows them). */
  const buttonOf = (ts: string) => {
    const shown = bot.slack.calls
      .filter((c) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.response.ts === ts)
      .map((c) => c.params.blocks as { type: string; elements?: { value: string }[] }[] | undefined)
      .findLast((blocks) => blocks?.some((b) => b.type === 'actions'));
    return shown?.find((b) => b.type === 'actions')?.elements?.[0]?.value;
  };
  let clicks = 0;

  return {
    setRoom: (id: string) => {
      room = id;
    },
    messages,
    row,
    cardOf,
    textOf,
    buttonOf,
    cardText: async (runId: string) => textOf(await cardOf(runId)),
    state: async (runId: string) => (await row(runId))?.state as string | undefined,
    audit: async (runId: string) =>
      (await sql.query('SELECT event, actor, detail FROM runbook_audit WHERE run_id = $1 ORDER BY id', [runId])).rows,
    /** Real (not dry-run) mutating requests the API server answered 200 since `from`. */
    applied: (from = 0) =>
      kube.requests.slice(from).filter((r) => r.method === 'PATCH' && !r.dryRun && r.status === 200),
    /** Real mutating requests of any answer since `from`. */
    mutations: (from = 0) => kube.requests.slice(from).filter((r) => r.method === 'PATCH' && !r.dryRun),

    /** Waits until no run has an action left to do (cards edited, results posted). */
    idle: () =>
      waitFor(
        async () =>
          (await sql.query(`SELECT count(*)::int AS n FROM runbook_actions WHERE state IN ('pending', 'running')`))
            .rows[0].n === 0,
        10_000,
        'the run outbox to empty',
      ),

    /** `/incident run …` in the war room; resolves with the reply and the run it names. */
    async request(text: string, user = 'U0RESPOND1', triggerId?: string) {
      const sent = await bot.command(text, { channel: room, user, ...(triggerId && { triggerId }) });
      const reply = await replyOn(bot.slack, sent.responseUrl, 15_000);
      return { reply, runId: /RUN-[0-9A-F]{8}/.exec(reply)?.[0] };
    },

    /**
     * Clicks a button of the message `ts` (by default the run's current card) as `user`; `value`,
     * `channel` and `ts` may be forged. Resolves with the path of the ephemeral reply.
     */
    async click(
      runId: string,
      verdict: 'approve' | 'deny',
      user: string,
      at: { ts?: string; channel?: string; value?: string } = {},
    ) {
      const ts = at.ts ?? (await cardOf(runId))!.ts;
      const responsePath = `/respond/click-${runId}-${user}-${++clicks}`;
      await bot.interact(
        blockAction({
          actionId: `runbook_${verdict}`,
          value: at.value ?? buttonOf(ts)!,
          user,
          channel: at.channel ?? room,
          messageTs: ts,
          responseUrl: `${bot.slack.url}${responsePath}`,
          triggerId: bot.slack.issueTrigger(),
          blockId: `run_${runId}`,
        }),
      );
      return responsePath;
    },
  };
}

export type RunbookDriver = ReturnType<typeof runbookDriver>;

/**
 * The bot with the shipped playbooks, against a fake cluster seeded with the services they name,
 * under exactly manifests/rbac.yaml, with a driver working in the war room of its latest incident.
 */
export async function startRunbookBench(policy: string, env: Record<string, string> = {}) {
  const kube = await new FakeKube().start();
  kube.cluster.stepMs = 10;
  kube.tokens.set('bot-token', shippedGrant());
  seedServices(kube.cluster);
  const h = await startHarness({
    env: {
      KUBECONFIG: kube.kubeconfig('bot-token'),
      INCIDENT_POLICY: policyFile(policy),
      RUNBOOK_COOLDOWN: '1s',
      ...env,
    },
  });
  h.slack.addUser('U0SRE00001', 'sre');
  const run = runbookDriver(h, kube, h.sql);
  return {
    kube,
    h,
    run,
    /** Declares an incident at `severity` and works in its war room; resolves with its ID. */
    async incident(severity: string, title: string): Promise<string> {
      const reply = await h.reply((await h.command(`declare ${severity} ${title}`)).responseUrl);
      const id = /INC-\d{4}-\d{4}-\d{3}/.exec(reply)![0];
      run.setRoom((await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id);
      return id;
    },
    async stop() {
      await h.stop();
      await kube.stop();
    },
  };
}
