import { UserError } from '../errors.js';
import type { Clocks } from './clocks.js';
import { formatDuration } from './duration.js';
import type { EffectSpec } from './effect-spec.js';
import type { EffectFailure, EffectRunner } from './effects.js';
import { type Actor, type Incident, ROLE_NAMES, type Role, type Status } from './incident.js';
import type { Mutation } from './mutation.js';
import type { PageRules } from './page-rules.js';
import { findSeverity, type Policy, severityOf } from './policy.js';
import type { Clock, IncidentObserver, IncidentStore, OpenIncidents } from './ports.js';
import type { TimelineEntry } from './timeline.js';

/** Where a command was typed, and the key that makes a repeat delivery harmless. */
export interface CommandContext {
  readonly actor: Actor;
  readonly channelId: string;
  readonly idempotencyKey?: string;
  /** How long to wait for the Slack side before answering (a webhook answers at once); the reply default otherwise. */
  readonly waitForEffectsMs?: number;
}

/** A change made in another system (PagerDuty), recorded under the name it gave. */
export interface ExternalActor {
  readonly system: string;
  readonly name: string;
}

/** Names an incident: an explicit ID, or the war room the command was typed in. */
export interface IncidentRef {
  readonly id?: string;
}

export interface DeclareInput {
  readonly severity: string;
  readonly title: string;
  readonly impact?: string | null;
  readonly services?: readonly string[];
  readonly drill?: boolean;
}

/** What a command did, for the reply to the person who typed it. */
export interface Outcome {
  readonly incident: Incident;
  /** True when this delivery repeated one already handled. */
  readonly duplicate: boolean;
  readonly failures: readonly EffectFailure[];
  /** Slack work still under way when the reply went out (it waits on Slack's rate limits). */
  readonly pending: boolean;
}

export interface IncidentServiceDeps {
  readonly store: IncidentStore;
  readonly open: OpenIncidents;
  readonly effects: EffectRunner;
  readonly clocks: Clocks;
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

/** One page of `/incident list`. */
export interface OpenPage {
  readonly incidents: readonly Incident[];
  /** Open incidents in all, across pages. */
  readonly total: number;
}

const REPLY_WITHIN_MS = 2_500;

/** Refuses a change to a resolved incident, saying what to do instead. */
export function openOnly(incident: Incident): void {
  if (incident.status === 'resolved')
    throw new UserError(
      'conflict',
      `${incident.id} is already resolved. Declare a new incident if the problem is back.`,
    );
}

export const MIN_SNOOZE_MS = 60_000;
export const MAX_SNOOZE_MS = 24 * 3_600_000;

/**
 * The incident lifecycle. Each command writes its change, timeline entry and
 * side effects in one transaction, then carries the side effects out.
 */
export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, clock, policy } = deps;

  const entry = (actor: Actor, kind: string, text: string, data?: Record<string, unknown>): TimelineEntry => ({
    at: clock.now(),
    actor: actor.userId,
    kind,
    text,
    authorName: actor.name ?? null,
    ...(data && { data }),
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
    if (applied) await deps.clocks.schedule(incident);
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
              ctx.actor,
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
      if (created) await deps.clocks.schedule(incident);
      return carryOut(incident, !created, ctx.waitForEffectsMs);
    },

    /** Moves the incident to a new status; `resolved` resolves it. */
    async setStatus(ref: IncidentRef, status: Status, text: string | undefined, ctx: CommandContext): Promise<Outcome> {
      if (status === 'resolved') return this.resolve(ref, text, ctx);
      return change(ref, ctx, (i) => {
        openOnly(i);
        if (i.status === status)
          throw new UserError(
            'conflict',
            `${i.id} is already ${status}. Post progress with \`/incident update <text>\`.`,
          );
        return {
          patch: { status, ...(status === 'monitoring' && { mitigatedAt: clock.now() }) },
          timeline: [
            entry(ctx.actor, 'status', `Status ${i.status} → ${status}${text ? `: ${text}` : ''}`, {
              from: i.status,
              to: status,
            }),
          ],
          effects: [
            {
              kind: 'post',
              target: 'room',
              notice: { kind: 'status', status, text: text ?? null, by: ctx.actor.userId },
            },
            { kind: 'refresh' },
          ],
        };
      });
    },

    /** Posts a templated status update and restarts the update clock. */
    async postUpdate(
      ref: IncidentRef,
      fields: { progress: string; nextSteps?: string; eta?: string; status?: Status },
      ctx: CommandContext,
    ): Promise<Outcome> {
      return change(ref, ctx, (i) => {
        openOnly(i);
        const now = clock.now();
        const status = fields.status && fields.status !== 'resolved' ? fields.status : i.status;
        const update = {
          at: now,
          author: ctx.actor.userId,
          status,
          progress: fields.progress,
          nextSteps: fields.nextSteps ?? null,
          eta: fields.eta ?? null,
        };
        return {
          ...(status !== i.status && { patch: { status, ...(status === 'monitoring' && { mitigatedAt: now }) } }),
          update: {
            ...update,
            nextDue: new Date(now.getTime() + severityOf(policy, i.severity).updateEveryMs),
            dueAt: i.nextUpdateDue,
          },
          timeline: [
            ...(status !== i.status
              ? [entry(ctx.actor, 'status', `Status ${i.status} → ${status}`, { from: i.status, to: status })]
              : []),
            entry(ctx.actor, 'update', `Update: ${fields.progress}`, {
              nextSteps: update.nextSteps,
              eta: update.eta,
              dueAt: i.nextUpdateDue?.toISOString() ?? null,
              onTime: !i.nextUpdateDue || now <= i.nextUpdateDue,
            }),
          ],
          effects: [
            { kind: 'post', target: 'room', notice: { kind: 'update', update: { ...update, id: 0 } } },
            { kind: 'refresh' },
          ],
        };
      });
    },

    /** Changes the severity and re-applies the policy: a raise to a war-room level opens one. */
    async setSeverity(ref: IncidentRef, level: string, ctx: CommandContext): Promise<Outcome> {
      const sev = findSeverity(policy, level);
      if (!sev)
        throw new UserError(
          'usage',
          `\`${level}\` is not a severity. Use one of ${policy.severities.map((s) => s.level).join(', ')}.`,
        );
      return change(ref, ctx, (i) => {
        openOnly(i);
        if (i.severity === sev.level) throw new UserError('conflict', `${i.id} is already ${sev.level}.`);
        const effects: EffectSpec[] = [];
        if (sev.warRoom && !i.channelId) effects.push({ kind: 'war_room' });
        effects.push({
          kind: 'post',
          target: 'room',
          notice: { kind: 'severity', from: i.severity, to: sev.level, by: ctx.actor.userId },
        });
        if (i.channelId)
          effects.push({
            kind: 'post',
            target: 'incidents',
            notice: { kind: 'severity', from: i.severity, to: sev.level, by: ctx.actor.userId },
          });
        effects.push({ kind: 'refresh' }, ...(deps.pages?.onSeverity(severityOf(policy, i.severity), sev, i) ?? []));
        const base = (i.lastUpdate?.at ?? i.declaredAt).getTime();
        const nextUpdateDue = new Date(Math.max(clock.now().getTime(), base + sev.updateEveryMs));
        return {
          patch: { severity: sev.level, nextUpdateDue },
          timeline: [
            entry(ctx.actor, 'severity', `Severity ${i.severity} → ${sev.level}`, { from: i.severity, to: sev.level }),
          ],
          effects,
        };
      });
    },

    /** Names the holder of a role; the IC is the declarer until someone else is named. */
    async assignRole(ref: IncidentRef, role: Role, userId: string, ctx: CommandContext): Promise<Outcome> {
      return change(ref, ctx, (i) => {
        openOnly(i);
        if (i.roles[role] === userId)
          throw new UserError('conflict', `<@${userId}> is already ${ROLE_NAMES[role]} of ${i.id}.`);
        return {
          role: { role, userId },
          timeline: [entry(ctx.actor, 'role', `${ROLE_NAMES[role]}: <@${userId}>`, { role, userId })],
          effects: [
            ...(i.channelId ? [{ kind: 'invite', users: [userId] } as const] : []),
            { kind: 'post', target: 'room', notice: { kind: 'role', role, userId, by: ctx.actor.userId } },
            { kind: 'refresh' },
          ],
        };
      });
    },

    /** Postpones the update clock by `ms` from now, on the record. */
    async snooze(ref: IncidentRef, ms: number, ctx: CommandContext): Promise<Outcome> {
      if (ms < MIN_SNOOZE_MS || ms > MAX_SNOOZE_MS)
        throw new UserError('usage', 'Snooze for between 1m and 24h, e.g. `/incident snooze 30m`.');
      return change(ref, ctx, (i) => {
        openOnly(i);
        const until = new Date(clock.now().getTime() + ms);
        return {
          patch: { nextUpdateDue: until },
          timeline: [
            entry(
              ctx.actor,
              'snoozed',
              `Update clock snoozed for ${formatDuration(ms)}, until ${until.toISOString().slice(11, 16)} UTC`,
              { until: until.toISOString() },
            ),
          ],
          effects: [
            {
              kind: 'post',
              target: 'room',
              notice: { kind: 'snoozed', until: until.toISOString(), by: ctx.actor.userId },
            },
            { kind: 'refresh' },
          ],
        };
      });
    },

    /** Acknowledges the incident, which stops its escalation chain (and PagerDuty's); `via` when done there. */
    async acknowledge(ref: IncidentRef, ctx: CommandContext, via?: ExternalActor): Promise<Outcome> {
      return change(ref, ctx, (i) => {
        openOnly(i);
        if (i.ackedAt) {
          // Acknowledged in PagerDuty, it holds a name rather than a Slack user.
          const earlier = /^[UW][A-Z0-9]+$/.test(i.ackedBy ?? '') ? `<@${i.ackedBy}>` : i.ackedBy;
          throw new UserError('conflict', `${i.id} was already acknowledged by ${earlier}; escalation is stopped.`);
        }
        const by = via ? `${via.name} (${via.system})` : ctx.actor.userId;
        return {
          patch: { ackedAt: clock.now(), ackedBy: by },
          timeline: [
            entry(
              ctx.actor,
              'acknowledged',
              via
                ? `Acknowledged in ${via.system} by ${via.name}; escalation stopped`
                : 'Acknowledged; escalation stopped',
              via && { via: via.system, by: via.name },
            ),
          ],
          effects: [
            { kind: 'post', target: 'room', notice: { kind: 'acked', by } },
            { kind: 'refresh' },
            ...(deps.pages?.onAck() ?? []),
          ],
        };
      });
    },

    /** Resolves the incident and tells the war room and the incidents channel; `via` when done elsewhere. */
    async resolve(
      ref: IncidentRef,
      text: string | undefined,
      ctx: CommandContext,
      via?: ExternalActor,
    ): Promise<Outcome> {
      return change(ref, ctx, (i) => {
        openOnly(i);
        const now = clock.now();
        const where = via ? ` in ${via.system} by ${via.name}` : '';
        return {
          patch: { status: 'resolved', resolvedAt: now, resolution: text ?? null },
          timeline: [
            entry(ctx.actor, 'resolved', `Resolved${where}${text ? `: ${text}` : ''}`, {
              from: i.status,
              ...(via && { via: via.system, by: via.name }),
            }),
          ],
          effects: [
            ...(i.channelId ? [{ kind: 'post', target: 'room', notice: { kind: 'resolved' } } as const] : []),
            { kind: 'post', target: 'incidents', notice: { kind: 'resolved' } },
            { kind: 'refresh' },
            ...(deps.pages?.onResolve() ?? []),
          ],
        };
      });
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
