import { UserError } from '../errors.js';
import {
  ackChange,
  type ChangeContext,
  type ExternalActor,
  entry,
  MAX_SNOOZE_MS,
  MIN_SNOOZE_MS,
  resolveChange,
  roleChange,
  severityChange,
  snoozeChange,
  statusChange,
  type UpdateFields,
  updateChange,
} from './changes.js';
import type { EffectRunner } from './effect-runner.js';
import type { Incident, Role, Status } from './incident.js';
import type { Mutation } from './mutation.js';
import type { PageRules } from './page-rules.js';
import { findSeverity, type Policy } from './policy.js';
import type { Clock, IncidentObserver, IncidentStore, OpenIncidents } from './ports.js';
import type { Reminders } from './reminders.js';
import type { CommandContext, DeclareInput, IncidentRef, OpenPage, Outcome } from './requests.js';

export interface IncidentServiceDeps {
  readonly store: IncidentStore;
  readonly open: OpenIncidents;
  readonly effects: EffectRunner;
  readonly reminders: Reminders;
  readonly clock: Clock;
  readonly policy: Policy;
  /** Told of every change that was applied (runbooks expire requests a resolved or re-levelled incident no longer allows). */
  readonly observer?: IncidentObserver;
  /** How long a command waits for its Slack side before replying anyway; the rest goes on after. */
  readonly replyWithinMs?: number;
  /** Which paging effects each change records; none without PagerDuty. */
  readonly pages?: PageRules;
}

/** Open incidents shown per page of `/incident list`. */
export const LIST_PAGE = 40;

const REPLY_WITHIN_MS = 2_500;

/**
 * The incident lifecycle. Each command writes its change, timeline entry and
 * side effects in one transaction, then carries the side effects out.
 */
export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, clock, policy } = deps;

  const at = (ctx: CommandContext): ChangeContext => ({
    actor: ctx.actor,
    now: clock.now(),
    policy,
    pages: deps.pages,
  });

  async function resolveRef(ref: IncidentRef, ctx: CommandContext): Promise<Incident> {
    if (ref.id) {
      const found = await store.get(ref.id);
      if (!found)
        throw new UserError(
          'not_found',
          `There is no incident ${ref.id}. Run \`/incident list\` to see the open ones.`,
        );
      return found;
    }
    const here = await store.findByChannel(ctx.channelId);
    if (!here)
      throw new UserError(
        'usage',
        'This channel is not a war room, so say which incident: put its ID after the verb, e.g. `/incident status INC-2026-1122-001 monitoring`. `/incident list` shows the IDs.',
      );
    return here;
  }

  /**
   * After a change is recorded: runs its side effects, waiting at most
   * `replyWithinMs` for them (they carry on in the background after that),
   * and reads the incident back for the reply.
   */
  async function carryOut(incident: Incident, duplicate: boolean, waitMs?: number): Promise<Outcome> {
    const running = deps.effects.run(incident.id);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const failures = await Promise.race([
      running,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs ?? deps.replyWithinMs ?? REPLY_WITHIN_MS);
      }),
    ]);
    clearTimeout(timer);
    const current = await store.get(incident.id).catch(() => undefined);
    return { incident: current ?? incident, duplicate, failures: failures ?? [], pending: !failures };
  }

  async function change(ref: IncidentRef, ctx: CommandContext, decide: (i: Incident) => Mutation): Promise<Outcome> {
    const target = await resolveRef(ref, ctx);
    const { incident, applied } = await store.mutate(target.id, ctx.idempotencyKey, decide);
    if (applied) await deps.reminders.schedule(incident);
    if (applied) await deps.observer?.changed(incident);
    return carryOut(incident, !applied, ctx.waitForEffectsMs);
  }

  return {
    /** Records a new incident, then announces it and opens its war room when the policy says so. */
    async declare(input: DeclareInput, ctx: CommandContext): Promise<Outcome> {
      const sev = findSeverity(policy, input.severity);
      if (!sev)
        throw new UserError(
          'usage',
          `\`${input.severity}\` is not a severity. Use one of ${policy.severities.map((s) => s.level).join(', ')}.`,
        );
      const now = clock.now();
      const { incident, created } = await store.declare(
        {
          severity: sev.level,
          title: input.title,
          impact: input.impact ?? null,
          services: input.services ?? [],
          declaredBy: ctx.actor.userId,
          declaredAt: now,
          drill: input.drill ?? false,
          nextUpdateDue: new Date(now.getTime() + sev.updateEveryMs),
        },
        ctx.idempotencyKey,
        (id) => ({
          timeline: [
            entry(
              { actor: ctx.actor, now, policy },
              'declared',
              `${input.drill ? 'Drill ' : ''}${id} declared at ${sev.level}: ${input.title}`,
              { severity: sev.level },
            ),
          ],
          effects: [
            ...(sev.warRoom ? [{ kind: 'war_room' } as const] : []),
            { kind: 'announce' },
            ...(deps.pages?.onDeclare(sev, { drill: input.drill ?? false, services: input.services ?? [] }) ?? []),
          ],
        }),
      );
      if (created) await deps.reminders.schedule(incident);
      return carryOut(incident, !created, ctx.waitForEffectsMs);
    },

    /** Moves the incident to a new status; `resolved` resolves it. */
    async setStatus(ref: IncidentRef, status: Status, text: string | undefined, ctx: CommandContext): Promise<Outcome> {
      if (status === 'resolved') return this.resolve(ref, text, ctx);
      return change(ref, ctx, (i) => statusChange(i, status, text, at(ctx)));
    },

    /** Posts a templated status update and restarts the update clock. */
    async postUpdate(ref: IncidentRef, fields: UpdateFields, ctx: CommandContext): Promise<Outcome> {
      return change(ref, ctx, (i) => updateChange(i, fields, at(ctx)));
    },

    /** Changes the severity and re-applies the policy: a raise to a war-room level opens one. */
    async setSeverity(ref: IncidentRef, level: string, ctx: CommandContext): Promise<Outcome> {
      const sev = findSeverity(policy, level);
      if (!sev)
        throw new UserError(
          'usage',
          `\`${level}\` is not a severity. Use one of ${policy.severities.map((s) => s.level).join(', ')}.`,
        );
      return change(ref, ctx, (i) => severityChange(i, sev, at(ctx)));
    },

    /** Names the holder of a role; the IC is the declarer until someone else is named. */
    async assignRole(ref: IncidentRef, role: Role, userId: string, ctx: CommandContext): Promise<Outcome> {
      return change(ref, ctx, (i) => roleChange(i, role, userId, at(ctx)));
    },

    /** Postpones the update clock by `ms` from now, on the record. */
    async snooze(ref: IncidentRef, ms: number, ctx: CommandContext): Promise<Outcome> {
      if (ms < MIN_SNOOZE_MS || ms > MAX_SNOOZE_MS)
        throw new UserError('usage', 'Snooze for between 1m and 24h, e.g. `/incident snooze 30m`.');
      return change(ref, ctx, (i) => snoozeChange(i, ms, at(ctx)));
    },

    /** Acknowledges the incident, which stops its escalation chain (and PagerDuty's); `via` when done there. */
    async acknowledge(ref: IncidentRef, ctx: CommandContext, via?: ExternalActor): Promise<Outcome> {
      return change(ref, ctx, (i) => ackChange(i, via, at(ctx)));
    },

    /** Resolves the incident and tells the war room and the incidents channel; `via` when done elsewhere. */
    async resolve(
      ref: IncidentRef,
      text: string | undefined,
      ctx: CommandContext,
      via?: ExternalActor,
    ): Promise<Outcome> {
      return change(ref, ctx, (i) => resolveChange(i, text, via, at(ctx)));
    },

    /** A page of open incidents, most recent first, after the one with ID `afterId`; and how many are open. */
    async list(afterId: string | null = null): Promise<OpenPage> {
      const [incidents, counts] = await Promise.all([deps.open.page(afterId, LIST_PAGE), deps.open.countBySeverity()]);
      return { incidents, total: [...counts.values()].reduce((a, b) => a + b, 0) };
    },

    /** The incident a command refers to (for views that need it). */
    find(ref: IncidentRef, ctx: CommandContext): Promise<Incident> {
      return resolveRef(ref, ctx);
    },

    /** Records a change built elsewhere (paging) the way every command is: one transaction, then its effects. */
    apply: change,
  };
}

export type IncidentService = ReturnType<typeof createIncidentService>;
