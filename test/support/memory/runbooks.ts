import { UserError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { loadPlaybooks } from '../../../src/runbook/playbook.js';
import type { RunNotice } from '../../../src/runbook/run-notice.js';
import { type Click, createRunbooks } from '../../../src/runbook/service.js';
import { MemoryRunbookChat, type PostedMessage } from './chat.js';
import { ManualClock } from './clock.js';
import { MemoryCluster } from './cluster.js';
import { MemoryDatabases, MemoryRedis } from './databases.js';
import { MemoryRunIncidents, openIncident } from './run-incidents.js';
import { MemoryRunOutbox } from './run-outbox.js';
import { MemoryRunStore } from './run-store.js';
import { ManualRunTimers } from './timers.js';

const target = `namespace: shop\n    deployment: "{{deployment}}"`;
const deployment = `deployment: { type: enum, values: [web, cart-api, checkout-api] }`;

/** Playbooks of every shape the engine handles: one change, two changes, a ConfigMap, read-only. */
export const PLAYBOOKS = {
  'restart-service': `id: restart-service
title: Restart a service
description: Rolling restart, then waits for the rollout.
severities: [P0, P1, P2]
namespaces: [shop]
cooldown: 10m
params:
  ${deployment}
steps:
  - action: rollout-restart
    ${target}
  - action: rollout-status
    ${target}
`,
  'scale-service': `id: scale-service
title: Scale a service
description: Sets the replica count.
severities: [P0, P1]
namespaces: [shop]
params:
  ${deployment}
  replicas: { type: integer, min: 1, max: 20 }
steps:
  - action: scale
    ${target}
    replicas: "{{replicas}}"
`,
  'pool-increase': `id: pool-increase
title: Connection-pool increase
description: Raises the pool, then restarts so the pods pick it up.
severities: [P0, P1]
namespaces: [shop]
params:
  ${deployment}
steps:
  - action: set-env
    ${target}
    env: { DB_POOL_MAX: "50" }
  - action: rollout-restart
    ${target}
  - action: rollout-status
    ${target}
`,
  'rate-limit': `id: rate-limit
title: Rate limit
description: Changes the rate limit in the gateway's ConfigMap.
severities: [P0, P1]
namespaces: [shop]
configMaps: [{ namespace: shop, name: gateway, keys: [RATE_LIMIT] }]
steps:
  - action: patch-configmap
    namespace: shop
    name: gateway
    key: RATE_LIMIT
    value: "300"
`,
  'db-health': `id: db-health
title: Database health
description: Connections, lock waits and slow statements of the shop database.
severities: [P0, P1, P2, P3]
steps:
  - action: pg-activity
    database: shop
  - action: pg-locks
    database: shop
  - action: pg-slow-queries
    database: shop
`,
  'kill-queries': `id: kill-queries
title: Kill long-running queries
description: Cancels, then terminates, statements of the shop database running longer than the threshold.
severities: [P0, P1]
params:
  minutes: { type: integer, min: 1, max: 60, default: 5 }
steps:
  - action: pg-activity
    database: shop
  - action: pg-terminate
    database: shop
    olderThan: "{{minutes}}m"
    grace: 10s
`,
  'check-health': `id: check-health
title: Check health
description: Reads the deployment and its pods.
severities: [P0, P1, P2, P3]
namespaces: [shop]
params:
  ${deployment}
steps:
  - action: get-deployment
    ${target}
  - action: list-pods
    ${target}
`,
};

export interface MemoryRunbooksOptions {
  readonly approvers?: readonly string[];
  readonly requireApprover?: boolean;
  readonly approvalTtlMs?: number;
  readonly cooldownMs?: number;
  readonly leaseMs?: number;
  /** The jitter source of retries; 0.5 (no jitter) unless a test asks for another. */
  readonly random?: () => number;
  /** More playbooks, by id. */
  readonly playbooks?: Readonly<Record<string, string>>;
}

/**
 * The runbook service on in-memory ports, with one open P1 incident (declared by `U0DECLARER`,
 * its IC) whose war room is `C0WARROOM1`, and shop/web, shop/cart-api and shop/checkout-api
 * deployed. Time moves only when the test advances the clock; timers fire only on `fire()`.
 */
export function memoryRunbooks(options: MemoryRunbooksOptions = {}) {
  const clock = new ManualClock();
  const outbox = new MemoryRunOutbox(clock, options.leaseMs ?? 30_000);
  const runs = new MemoryRunStore(outbox);
  const cluster = new MemoryCluster();
  cluster.addDeployment('shop', 'web', { image: 'shop/web:41', replicas: 3 });
  cluster.addDeployment('shop', 'cart-api', { image: 'shop/cart:7', replicas: 2 });
  cluster.addDeployment('shop', 'checkout-api', { image: 'shop/checkout:3', replicas: 2 });
  cluster.addConfigMap('shop', 'gateway', { RATE_LIMIT: '600' });
  const databases = new MemoryDatabases(clock);
  databases.addDatabase('shop');
  const redis = new MemoryRedis();
  /** What happens while a step waits (the grace period between cancel and terminate): the clock moves, then this. */
  const during = { sleep: (_ms: number): void => undefined };
  const chat = new MemoryRunbookChat();
  const timers = new ManualRunTimers();
  const incidents = new MemoryRunIncidents();
  const incident = incidents.put(openIncident());
  const playbooks = loadPlaybooks(
    Object.entries({ ...PLAYBOOKS, ...options.playbooks }).map(([id, text]) => ({ name: `${id}.yaml`, text })),
  );
  const runbooks = createRunbooks({
    playbooks,
    runs,
    outbox,
    incidents,
    cluster,
    diagnostics: { databases, redis },
    sleep: async (ms: number) => {
      clock.advance(ms);
      during.sleep(ms);
    },
    chat,
    timers,
    clock,
    log: createLogger({ level: 'silent' }),
    approvalTtlMs: options.approvalTtlMs ?? 15 * 60_000,
    incidentsChannel: 'C0INCIDENTS',
    approvers: options.approvers ?? [],
    requireApprover: options.requireApprover ?? false,
    defaultCooldownMs: options.cooldownMs ?? 0,
    random: options.random ?? (() => 0.5),
  });

  /** Fires every prompt due now, and any they schedule for now, until none is due. */
  async function fire(): Promise<void> {
    for (let due = timers.take(clock.now()); due.length; due = timers.take(clock.now()))
      for (const p of due) await (p.kind === 'actions' ? runbooks.runActions(p.runId) : runbooks.expire(p.runId));
  }

  return {
    runbooks,
    clock,
    outbox,
    runs,
    cluster,
    databases,
    redis,
    during,
    chat,
    timers,
    incidents,
    incident,
    fire,

    /** `/incident run <playbook> key=value…` by `actor` in the war room. */
    async request(playbook: string, args: Record<string, string> = {}, actor = 'U0RESPOND1', key?: string) {
      return runbooks.request(incidents.incidents.get(incident.id)!, playbook, args, actor, key);
    },

    /** Requests `playbook` on shop/web (unless `args` say otherwise); the ID of the run, awaiting approval. */
    async asked(playbook = 'restart-service', args: Record<string, string> = {}): Promise<string> {
      const { run } = await runbooks.request(
        incidents.incidents.get(incident.id)!,
        playbook,
        {
          deployment: 'web',
          ...args,
        },
        'U0RESPOND1',
      );
      if (run.state !== 'awaiting_approval') throw new Error(`${run.id} is ${run.state}, not awaiting approval`);
      return run.id;
    },

    /** The run as stored. */
    run: async (runId: string) => (await runs.get(runId))!,

    /** The run's current approval card. */
    card(runId: string): PostedMessage {
      const card = chat.cards(runId).at(-1);
      if (!card) throw new Error(`${runId} has no card`);
      return card;
    },

    /** A click on `card` (by default the run's current one), carrying the token its buttons were posted with. */
    click(
      runId: string,
      verdict: Click['verdict'],
      actor: string,
      card?: PostedMessage,
    ): ReturnType<typeof runbooks.decide> {
      const on = card ?? chat.cards(runId).at(-1)!;
      const first = on.shown[0]!;
      const token = first.kind === 'card' ? first.run.preview!.token : '';
      return runbooks.decide({ runId, token, actor, channel: on.channel, messageTs: on.ts, verdict });
    },
  };
}

export type MemoryRunbooks = ReturnType<typeof memoryRunbooks>;

/** The message of the `UserError` that `work` was refused with; throws when it was not refused so. */
export async function refusal(work: Promise<unknown>): Promise<string> {
  const err = await work.then(
    () => new Error('allowed'),
    (e: unknown) => e,
  );
  if (!(err instanceof UserError)) throw err;
  return err.message;
}

/** What a card shows: the run's state on a `card` notice, else the notice's kind. */
export const shown = (notice: RunNotice): string => (notice.kind === 'card' ? notice.run.state : notice.kind);
