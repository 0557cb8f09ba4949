import { ChatFailure } from '../errors.js';
import { defaultBackoff, retryDelayMs } from '../incident/effect-failures.js';
import type { Clock } from '../incident/ports.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { AlertGroup } from './alert-group.js';
import { DIGEST_EDIT_EVERY_MS, place } from './placement.js';
import type { AlertChat, AlertOutbox, AlertStore, AlertTimers } from './ports.js';
import { prefillOf } from './rules.js';

export interface PublisherDeps {
  readonly groups: Pick<AlertStore, 'toDeclare' | 'tie'>;
  readonly outbox: AlertOutbox;
  readonly chat: AlertChat;
  readonly incidents: IncidentService;
  readonly timers: AlertTimers;
  readonly clock: Clock;
  readonly log: Logger;
  /** The Slack user auto-declared incidents are declared by (the bot itself). */
  readonly declarer: () => Promise<string | undefined>;
  readonly backoffMs?: (attempt: number) => number;
  readonly random?: () => number;
}

const BATCH = 50;
const DIGEST_LINES = 30;
const MAX_ATTEMPTS = 20;

/** The key of an alert group's auto-declaration: one incident per group episode, whoever declares it. */
export function declarationKey(group: Pick<AlertGroup, 'id' | 'episode'>): string {
  return `alert-group-${group.id}-${group.episode}`;
}

/**
 * Shows alert groups in Slack and declares the ones the policy declares at
 * once. Postgres holds what is to be shown (a state outbox: each change bumps
 * a version), so a crash, a Slack outage or a rate limit delays cards but never
 * loses or doubles them. New groups get cards while the channel has room, and
 * a digest message, edited in place, beyond that. Runs one pass at a time;
 * `kick` during a pass asks for another.
 */
export function createAlertPublisher(deps: PublisherDeps) {
  const { groups, outbox: store, chat, clock, log } = deps;
  const random = deps.random ?? Math.random;
  const backoff = deps.backoffMs ?? defaultBackoff;
  let running: Promise<void> | undefined;
  let again = false;

  async function declareWanted(): Promise<void> {
    const declarer = await deps.declarer();
    if (!declarer) return;
    for (const group of await groups.toDeclare(BATCH)) {
      const prefill = prefillOf(group);
      const outcome = await deps.incidents.declare(
        {
          severity: prefill.severity ?? group.level ?? '',
          title: prefill.title,
          impact: prefill.impact,
          services: prefill.services,
        },
        {
          actor: { userId: declarer, name: 'Alertmanager' },
          channelId: '',
          idempotencyKey: declarationKey(group),
          waitForEffectsMs: 0,
        },
      );
      await groups.tie(group.id, group.episode, outcome.incident.id, clock.now());
    }
  }

  async function failed(kind: 'card' | 'digest', id: number, attempts: number, err: unknown): Promise<void> {
    const failure = err instanceof ChatFailure ? err : undefined;
    const code = failure?.code ?? (err instanceof Error ? err.message : String(err));
    if (failure?.code === 'stopping') return store.retry(kind, id, clock.now(), code, false);
    log.warn({ kind, id, attempts, code }, 'could not show an alert group in Slack');
    if ((failure && !failure.retryable) || attempts >= MAX_ATTEMPTS) {
      log.error({ kind, id, code }, 'gave up showing an alert group in Slack; see the Alertmanager UI for it');
      return store.giveUp(kind, id, code);
    }
    const at = new Date(clock.now().getTime() + retryDelayMs(attempts, failure?.retryAfterMs, backoff, random));
    await store.retry(kind, id, at, code, failure?.ambiguous ?? true);
  }

  async function cards(): Promise<void> {
    for (;;) {
      const claimed = await store.claimCards(clock.now(), BATCH);
      await Promise.all(
        claimed.map(async (g) => {
          try {
            if (g.cardTs && g.cardChannel) {
              await chat.editCard(g.cardChannel, g.cardTs, g);
              await store.cardShown(g.id, g.version, g.cardChannel, g.cardTs);
            } else {
              const posted = await chat.postCard(g, { key: `alert-card-${g.id}-${g.episode}`, retry: g.unsure });
              await store.cardShown(g.id, g.version, posted.channel, posted.ts);
            }
          } catch (err) {
            await failed('card', g.id, g.attempts, err);
          }
        }),
      );
      if (claimed.length < BATCH) return;
    }
  }

  async function digest(): Promise<void> {
    const d = await store.claimDigest(clock.now(), DIGEST_EDIT_EVERY_MS, DIGEST_LINES);
    if (!d) return;
    try {
      if (d.ts && d.channel) {
        await chat.editDigest(d.channel, d.ts, d);
        await store.digestShown(d.id, d.version, d.channel, d.ts, clock.now());
      } else {
        const posted = await chat.postDigest(d, { key: `alert-digest-${d.id}`, retry: d.unsure });
        await store.digestShown(d.id, d.version, posted.channel, posted.ts, clock.now());
      }
    } catch (err) {
      await failed('digest', d.id, d.attempts, err);
    }
  }

  async function pass(): Promise<void> {
    await declareWanted().catch((err: unknown) =>
      log.warn({ err }, 'could not declare an alert group yet; the next pass tries again'),
    );
    await store.place(clock.now(), place);
    await Promise.all([cards(), digest()]);
    const next = await store.nextDue(clock.now(), DIGEST_EDIT_EVERY_MS);
    if (next)
      await deps.timers
        .publish(next)
        .catch((err: unknown) => log.warn({ err }, 'could not schedule the alert publisher; the sweep runs it'));
  }

  async function loop(): Promise<void> {
    do {
      again = false;
      await pass().catch((err: unknown) =>
        log.warn({ err }, 'alert publishing interrupted; the sweep takes it up again'),
      );
    } while (again);
  }

  return {
    /** One publishing pass (or joins the one under way, which then runs once more). */
    run(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = loop().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

export type AlertPublisher = ReturnType<typeof createAlertPublisher>;
