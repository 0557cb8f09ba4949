/**
 * What carries incidents forward after a command, in the composition root:
 * `main.ts` calls this and nothing else does.
 */

import type pg from 'pg';
import type { Config } from './config.js';
import { createEffectRunner } from './incident/effect-runner.js';
import type { Chat, Clock, IncidentStore } from './incident/ports.js';
import { createReminders } from './incident/reminders.js';
import type { wirePaging } from './integrations.js';
import type { Jobs } from './jobs/queue.js';
import type { Logger } from './log.js';
import { createEffectOutboxStore } from './postgres/effect-outbox-store.js';
import { createLiveMessageStore } from './postgres/live-message-store.js';
import { createOpenIncidents } from './postgres/open-incidents.js';

interface IncidentWorkBase {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly store: IncidentStore;
  readonly chat: Chat;
  readonly jobs: Jobs;
  readonly clock: Clock;
  readonly log: Logger;
  readonly paging: ReturnType<typeof wirePaging>;
  readonly backoffMs?: ((attempt: number) => number) | undefined;
}

/**
 * The effect outbox and its runner (leases renewed every third of the lease), the open-incident reads,
 * and the reminders and escalation over them.
 */
export function wireIncidentWork({ config, pool, store, chat, jobs, clock, log, paging, backoffMs }: IncidentWorkBase) {
  const outbox = createEffectOutboxStore(pool, { leaseMs: config.effectLeaseMs });
  const open = createOpenIncidents(pool);
  const effectRunner = createEffectRunner({
    store,
    outbox,
    chat,
    live: createLiveMessageStore(pool),
    timers: jobs.timers,
    clock,
    policy: config.policy,
    incidentsChannel: config.slack.incidentsChannel,
    log,
    renewEveryMs: Math.max(250, Math.floor(config.effectLeaseMs / 3)),
    ...(backoffMs && { backoffMs }),
    paging: paging.effects,
  });
  const reminders = createReminders({
    store,
    open,
    timers: jobs.timers,
    clock,
    policy: config.policy,
    effects: effectRunner,
    log,
  });
  return { effectRunner, reminders, open };
}
