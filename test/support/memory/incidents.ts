import { createEffectRunner } from '../../../src/incident/effect-runner.js';
import { type Policy, parsePolicy } from '../../../src/incident/policy.js';
import { createReminders } from '../../../src/incident/reminders.js';
import type { CommandContext } from '../../../src/incident/requests.js';
import { createIncidentService } from '../../../src/incident/service.js';
import { createLogger } from '../../../src/log.js';
import { ManualClock } from './clock.js';
import { MemoryEffectOutbox } from './effect-outbox.js';
import { MemoryChat } from './incident-chat.js';
import { MemoryIncidentStore } from './incident-store.js';
import { MemoryLiveMessages } from './live-messages.js';
import { ManualTimers } from './timers.js';

/** P1 opens a war room, wants an update every 30 minutes and escalates at 5 and 15 minutes; P2 has neither room nor second step. */
export const TEST_POLICY: Policy = parsePolicy(
  `severities:
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 30m
    escalation:
      - after: 5m
        notify: [U0ONCALL01]
      - after: 15m
        notify: [S0LEADS001]
  P2:
    description: Degraded
    updateEvery: 1h
    escalation:
      - after: 10m
        notify: [U0ONCALL02]
`,
  'policy.yaml',
);

export const INCIDENTS_CHANNEL = 'C0INCIDENTS';

/** A command typed by `user` in #general (or in `channelId`). */
export const typedBy = (user = 'U0DECLARER', channelId = 'C0GENERAL'): CommandContext => ({
  actor: { userId: user },
  channelId,
});

/**
 * The incident service, its effect runner and its reminders on in-memory
 * ports and a manual clock: no Postgres, Redis or Slack. `advance` moves the
 * clock and fires the prompts that fell due, as the worker would.
 */
export function memoryIncidents(options: { policy?: Policy; backoffMs?: (attempt: number) => number } = {}) {
  const policy = options.policy ?? TEST_POLICY;
  const clock = new ManualClock(new Date('2026-11-22T14:00:00Z'));
  const outbox = new MemoryEffectOutbox();
  const store = new MemoryIncidentStore(outbox);
  const chat = new MemoryChat();
  const live = new MemoryLiveMessages();
  const timers = new ManualTimers();
  const log = createLogger({ level: 'silent' });
  const effects = createEffectRunner({
    store,
    outbox,
    chat,
    live,
    timers,
    clock,
    policy,
    incidentsChannel: INCIDENTS_CHANNEL,
    log,
    random: () => 0.5,
    ...(options.backoffMs && { backoffMs: options.backoffMs }),
  });
  const reminders = createReminders({ store, open: store, timers, clock, policy, effects, log });
  const service = createIncidentService({ store, open: store, effects, reminders, clock, policy });

  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    for (const p of timers.take(clock.now())) {
      if (p.kind === 'effects') await effects.run(p.incidentId);
      else if (p.kind === 'update') await reminders.fireUpdate(p.incidentId, p.at.getTime());
      else await reminders.fireEscalation(p.incidentId, p.level, p.step);
    }
  }

  return { service, effects, reminders, store, outbox, chat, live, timers, clock, policy, advance };
}

export type MemoryIncidents = ReturnType<typeof memoryIncidents>;
