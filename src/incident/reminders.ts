import type { Logger } from '../log.js';
import { formatDuration } from './duration.js';
import type { EffectRunner } from './effect-runner.js';
import { commander, type Incident } from './incident.js';
import type { Mutation } from './mutation.js';
import { type Policy, severityOf } from './policy.js';
import type { Clock, IncidentStore, OpenIncidents, StepDue, Timers } from './ports.js';
import { person } from './refs.js';

export interface ReminderDeps {
  readonly store: IncidentStore;
  readonly open: OpenIncidents;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly policy: Policy;
  readonly effects: EffectRunner;
  readonly log: Logger;
}

/** A prompt may arrive this much before its due time and still count (timer skew between hosts). */
const EARLY_MS = 1_000;
/** The sweep leaves clocks this long to their own jobs before firing them itself (firing twice is harmless, only wasted). */
const SWEEP_GRACE_MS = 2_000;
/** Incidents read per query by the sweep and the rebuild, so neither holds every open incident at once. */
const BATCH = 100;

const NOTHING: Mutation = { timeline: [], effects: [] };

/** `LEVEL/STEP`: the key of one escalation step, recorded when it fires. */
export function escalationKey(level: string, step: number): string {
  return `${level}/${step}`;
}

/**
 * The update clock and the escalation chain. Timers are prompts, not
 * commands: each firing re-reads the incident under a row lock and acts only
 * if the clock still applies, so a stale, duplicate or late prompt is harmless
 * and every reminder fires exactly once, whichever replica gets it.
 */
export function createReminders(deps: ReminderDeps) {
  const { store, timers, clock, policy, log } = deps;
  const steps: StepDue[] = policy.severities.flatMap((s) =>
    s.escalation.map((e, n) => ({ level: s.level, key: escalationKey(s.level, n), afterMs: e.afterMs })),
  );

  function dueSteps(i: Incident) {
    if (i.status === 'resolved' || i.ackedAt) return [];
    return severityOf(policy, i.severity)
      .escalation.map((step, n) => ({ n, step, at: new Date(i.declaredAt.getTime() + step.afterMs) }))
      .filter(({ n }) => !i.escalated.includes(escalationKey(i.severity, n)));
  }

  /** Puts the incident's prompts in the queue; scheduling the same prompt twice is harmless. */
  async function schedule(i: Incident): Promise<void> {
    if (i.status === 'resolved') return;
    const prompts = [
      ...(i.nextUpdateDue ? [timers.updateDue(i.id, i.nextUpdateDue)] : []),
      ...dueSteps(i).map(({ n, at }) => timers.escalationDue(i.id, i.severity, n, at)),
    ];
    const results = await Promise.allSettled(prompts);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed)
      log.warn(
        { incidentId: i.id, err: (failed as PromiseRejectedResult).reason },
        'could not schedule a clock; the sweep will fire it from Postgres',
      );
  }

  async function fire(id: string, decide: (i: Incident, now: number) => Mutation | undefined): Promise<boolean> {
    let fired = false;
    const { incident } = await store.mutate(id, undefined, (i) => {
      const m = decide(i, clock.now().getTime());
      fired = !!m;
      return m ?? NOTHING;
    });
    if (!fired) return false;
    await schedule(incident);
    await deps.effects.run(id);
    return true;
  }

  /** The update clock fell due at `dueMs`: remind the war room once, and start the next interval. */
  function fireUpdate(id: string, dueMs: number): Promise<boolean> {
    return fire(id, (i, now) => {
      if (i.status === 'resolved' || i.nextUpdateDue?.getTime() !== dueMs || dueMs > now + EARLY_MS) return undefined;
      const every = severityOf(policy, i.severity).updateEveryMs;
      const next = dueMs + every > now ? dueMs + every : now + every;
      const due = new Date(dueMs).toISOString();
      return {
        patch: { nextUpdateDue: new Date(next) },
        timeline: [
          {
            at: new Date(now),
            actor: 'firebreak',
            kind: 'update_overdue',
            text: `Status update due at ${due.slice(11, 16)} UTC was missed; reminded`,
            data: { due, refs: [person(commander(i))] },
          },
        ],
        effects: [{ kind: 'post', target: 'room', notice: { kind: 'reminder', due } }, { kind: 'refresh' }],
      };
    });
  }

  /** Escalation step `n` of `level` fell due: notify its people once, unless acknowledged, resolved or re-levelled. */
  function fireEscalation(id: string, level: string, n: number): Promise<boolean> {
    return fire(id, (i, now) => {
      const step = severityOf(policy, i.severity).escalation[n];
      const key = escalationKey(level, n);
      if (i.status === 'resolved' || i.ackedAt || i.severity !== level || !step || i.escalated.includes(key))
        return undefined;
      if (i.declaredAt.getTime() + step.afterMs > now + EARLY_MS) return undefined;
      return {
        escalated: key,
        timeline: [
          {
            at: new Date(now),
            actor: 'firebreak',
            kind: 'escalated',
            text: `Escalation step ${n + 1} (${formatDuration(step.afterMs)} unacknowledged): notified`,
            data: { level, step: n, notify: step.notify, refs: step.notify.map(person) },
          },
        ],
        effects: [
          {
            kind: 'post',
            target: 'room',
            notice: { kind: 'escalation', step: n, notify: step.notify, afterMs: step.afterMs },
          },
          ...step.notify.map(
            (to) =>
              ({
                kind: 'dm',
                to,
                notice: { kind: 'escalation', step: n, notify: step.notify, afterMs: step.afterMs },
              }) as const,
          ),
        ],
      };
    });
  }

  return {
    schedule,
    fireUpdate,
    fireEscalation,
    /** Start-up and after Redis comes back: put back every open incident's prompts from Postgres, a page at a time. */
    async rebuild(): Promise<number> {
      let after: string | null = null;
      let count = 0;
      for (;;) {
        const page = await deps.open.page(after, BATCH);
        for (const i of page) await schedule(i);
        count += page.length;
        const last = page.at(-1);
        if (!last || page.length < BATCH) return count;
        after = last.id;
      }
    },
    /**
     * Fires, from Postgres, any clock whose prompt was lost (Redis emptied, a
     * job dropped). Postgres says which incidents have something due; each is
     * visited once per sweep, whatever happens to it.
     */
    async sweep(): Promise<number> {
      const cutoff = clock.now().getTime() - SWEEP_GRACE_MS;
      let visited = 0;
      let after = '';
      for (;;) {
        const ids = await deps.open.due(new Date(cutoff), steps, after, BATCH);
        for (const id of ids) {
          const i = await store.get(id);
          if (!i) continue;
          if (i.nextUpdateDue && i.nextUpdateDue.getTime() <= cutoff) await fireUpdate(i.id, i.nextUpdateDue.getTime());
          for (const { n, at } of dueSteps(i)) if (at.getTime() <= cutoff) await fireEscalation(i.id, i.severity, n);
        }
        visited += ids.length;
        if (ids.length < BATCH) return visited;
        after = ids.at(-1)!;
      }
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
