/**
 * The runbook part of the composition root: `main.ts` calls this and nothing
 * else does. Kept apart so main.ts stays one screen of wiring.
 */

import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import type { Config } from './config.js';
import { createDiagnostics } from './diag/diagnostics.js';
import type { Clock, IncidentStore } from './incident/ports.js';
import type { Jobs } from './jobs/queue.js';
import { createKubeCluster, loadKubeConfig } from './kube/cluster.js';
import type { Logger } from './log.js';
import { createRunOutboxStore } from './postgres/run-outbox-store.js';
import { createRunStore } from './postgres/run-store.js';
import { createRunbooks } from './runbook/service.js';
import type { NamesFor } from './slack/names.js';
import { createRunbookChat } from './slack/runbook-chat.js';

interface RunbookBase {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly store: IncidentStore;
  readonly web: WebClient;
  /** The display names every message shares (one cache). */
  readonly names: NamesFor;
  readonly jobs: Jobs;
  readonly clock: Clock;
  readonly log: Logger;
  readonly backoffMs?: ((attempt: number) => number) | undefined;
}

/** The runbook service on the cluster, the diagnostics and Postgres; `diagnostics` must be closed on stop. */
export function wireRunbooks({ config, pool, store, web, names, jobs, clock, log, backoffMs }: RunbookBase) {
  for (const missing of config.diagnostics.missing) log.warn({ setting: missing.split(' ')[0] }, missing);
  const diagnostics = createDiagnostics(config.diagnostics, log);
  const runbooks = createRunbooks({
    playbooks: config.runbooks.playbooks,
    runs: createRunStore(pool),
    outbox: createRunOutboxStore(pool, { leaseMs: config.effectLeaseMs }),
    incidents: store,
    cluster: createKubeCluster(loadKubeConfig(config.runbooks.kubeconfig)),
    diagnostics,
    chat: createRunbookChat(
      web,
      { approvers: config.policy.approvers, requireApprover: config.policy.approvals.requireApprover },
      names,
    ),
    timers: jobs.runTimers,
    clock,
    log,
    approvers: config.policy.approvers,
    requireApprover: config.policy.approvals.requireApprover,
    approvalTtlMs: config.runbooks.approvalTtlMs,
    defaultCooldownMs: config.runbooks.cooldownMs,
    incidentsChannel: config.slack.incidentsChannel,
    ...(backoffMs && { backoffMs }),
  });
  return { runbooks, diagnostics };
}
