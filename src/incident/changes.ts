import { UserError } from '../errors.js';
import { formatDuration } from './duration.js';
import type { EffectSpec } from './effect-spec.js';
import { type Actor, type Incident, ROLE_NAMES, type Role, type Status } from './incident.js';
import type { Mutation } from './mutation.js';
import type { PageRules } from './page-rules.js';
import { type Policy, type SeverityPolicy, severityOf } from './policy.js';
import { person } from './refs.js';
import type { TimelineEntry } from './timeline.js';

/** Who makes a change and when, with the rules it is made under. */
export interface ChangeContext {
  readonly actor: Actor;
  readonly now: Date;
  readonly policy: Policy;
  /** Which paging effects each change records; none without PagerDuty. */
  readonly pages?: PageRules | undefined;
}

/** A change made in another system (PagerDuty), recorded under the name it gave. */
export interface ExternalActor {
  readonly system: string;
  readonly name: string;
}

export const MIN_SNOOZE_MS = 60_000;
export const MAX_SNOOZE_MS = 24 * 3_600_000;

/** A timeline entry made by the change's actor at the change's time. */
export function entry(c: ChangeContext, kind: string, text: string, data?: Record<string, unknown>): TimelineEntry {
  return {
    at: c.now,
    actor: c.actor.userId,
    kind,
    text,
    authorName: c.actor.name ?? null,
    ...(data && { data }),
  };
}

/** Refuses a change to a resolved incident, saying what to do instead. */
export function openOnly(incident: Incident): void {
  if (incident.status === 'resolved')
    throw new UserError(
      'conflict',
      `${incident.id} is already resolved. Declare a new incident if the problem is back.`,
    );
}

/** Moves the incident to a new status other than `resolved`. */
export function statusChange(i: Incident, status: Status, text: string | undefined, c: ChangeContext): Mutation {
  openOnly(i);
  if (i.status === status)
    throw new UserError('conflict', `${i.id} is already ${status}. Post progress with \`/incident update <text>\`.`);
  return {
    patch: { status, ...(status === 'monitoring' && { mitigatedAt: c.now }) },
    timeline: [
      entry(c, 'status', `Status ${i.status} → ${status}${text ? `: ${text}` : ''}`, {
        from: i.status,
        to: status,
      }),
    ],
    effects: [
      {
        kind: 'post',
        target: 'room',
        notice: { kind: 'status', status, text: text ?? null, by: c.actor.userId },
      },
      { kind: 'refresh' },
    ],
  };
}

/** The fields of a templated status update. */
export interface UpdateFields {
  readonly progress: string;
  readonly nextSteps?: string;
  readonly eta?: string;
  readonly status?: Status;
}

/** Posts a templated status update and restarts the update clock. */
export function updateChange(i: Incident, fields: UpdateFields, c: ChangeContext): Mutation {
  openOnly(i);
  const now = c.now;
  const status = fields.status && fields.status !== 'resolved' ? fields.status : i.status;
  const update = {
    at: now,
    author: c.actor.userId,
    status,
    progress: fields.progress,
    nextSteps: fields.nextSteps ?? null,
    eta: fields.eta ?? null,
  };
  return {
    ...(status !== i.status && { patch: { status, ...(status === 'monitoring' && { mitigatedAt: now }) } }),
    update: {
      ...update,
      nextDue: new Date(now.getTime() + severityOf(c.policy, i.severity).updateEveryMs),
      dueAt: i.nextUpdateDue,
    },
    timeline: [
      ...(status !== i.status
        ? [entry(c, 'status', `Status ${i.status} → ${status}`, { from: i.status, to: status })]
        : []),
      entry(c, 'update', `Update: ${fields.progress}`, {
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
}

/** Changes the severity and re-applies the policy: a raise to a war-room level opens one. */
export function severityChange(i: Incident, sev: SeverityPolicy, c: ChangeContext): Mutation {
  openOnly(i);
  if (i.severity === sev.level) throw new UserError('conflict', `${i.id} is already ${sev.level}.`);
  const effects: EffectSpec[] = [];
  if (sev.warRoom && !i.channelId) effects.push({ kind: 'war_room' });
  effects.push({
    kind: 'post',
    target: 'room',
    notice: { kind: 'severity', from: i.severity, to: sev.level, by: c.actor.userId },
  });
  if (i.channelId)
    effects.push({
      kind: 'post',
      target: 'incidents',
      notice: { kind: 'severity', from: i.severity, to: sev.level, by: c.actor.userId },
    });
  effects.push({ kind: 'refresh' }, ...(c.pages?.onSeverity(severityOf(c.policy, i.severity), sev, i) ?? []));
  const base = (i.lastUpdate?.at ?? i.declaredAt).getTime();
  const nextUpdateDue = new Date(Math.max(c.now.getTime(), base + sev.updateEveryMs));
  return {
    patch: { severity: sev.level, nextUpdateDue },
    timeline: [entry(c, 'severity', `Severity ${i.severity} → ${sev.level}`, { from: i.severity, to: sev.level })],
    effects,
  };
}

/** Names the holder of a role. */
export function roleChange(i: Incident, role: Role, userId: string, c: ChangeContext): Mutation {
  openOnly(i);
  if (i.roles[role] === userId) throw new UserError('conflict', `${userId} is already ${ROLE_NAMES[role]} of ${i.id}.`);
  return {
    role: { role, userId },
    timeline: [entry(c, 'role', `${ROLE_NAMES[role]}:`, { role, userId, refs: [person(userId)] })],
    effects: [
      ...(i.channelId ? [{ kind: 'invite', users: [userId] } as const] : []),
      { kind: 'post', target: 'room', notice: { kind: 'role', role, userId, by: c.actor.userId } },
      { kind: 'refresh' },
    ],
  };
}

/** Postpones the update clock by `ms` from now, on the record. */
export function snoozeChange(i: Incident, ms: number, c: ChangeContext): Mutation {
  openOnly(i);
  const until = new Date(c.now.getTime() + ms);
  return {
    patch: { nextUpdateDue: until },
    timeline: [
      entry(
        c,
        'snoozed',
        `Update clock snoozed for ${formatDuration(ms)}, until ${until.toISOString().slice(11, 16)} UTC`,
        { until: until.toISOString() },
      ),
    ],
    effects: [
      {
        kind: 'post',
        target: 'room',
        notice: { kind: 'snoozed', until: until.toISOString(), by: c.actor.userId },
      },
      { kind: 'refresh' },
    ],
  };
}

/** Acknowledges the incident, which stops its escalation chain (and PagerDuty's); `via` when done there. */
export function ackChange(i: Incident, via: ExternalActor | undefined, c: ChangeContext): Mutation {
  openOnly(i);
  if (i.ackedAt) {
    // Acknowledged in PagerDuty, it holds a name rather than a user ID; the chat adapter shows either.
    throw new UserError('conflict', `${i.id} was already acknowledged by ${i.ackedBy}; escalation is stopped.`);
  }
  const by = via ? `${via.name} (${via.system})` : c.actor.userId;
  return {
    patch: { ackedAt: c.now, ackedBy: by },
    timeline: [
      entry(
        c,
        'acknowledged',
        via ? `Acknowledged in ${via.system} by ${via.name}; escalation stopped` : 'Acknowledged; escalation stopped',
        via && { via: via.system, by: via.name },
      ),
    ],
    effects: [
      { kind: 'post', target: 'room', notice: { kind: 'acked', by } },
      { kind: 'refresh' },
      ...(c.pages?.onAck() ?? []),
    ],
  };
}

/** Resolves the incident and tells the war room and the incidents channel; `via` when done elsewhere. */
export function resolveChange(
  i: Incident,
  text: string | undefined,
  via: ExternalActor | undefined,
  c: ChangeContext,
): Mutation {
  openOnly(i);
  const where = via ? ` in ${via.system} by ${via.name}` : '';
  return {
    patch: { status: 'resolved', resolvedAt: c.now, resolution: text ?? null },
    timeline: [
      entry(c, 'resolved', `Resolved${where}${text ? `: ${text}` : ''}`, {
        from: i.status,
        ...(via && { via: via.system, by: via.name }),
      }),
    ],
    effects: [
      // The #incidents announcement turns to resolved in place (refresh): no second top-level post there.
      ...(i.channelId ? [{ kind: 'post', target: 'room', notice: { kind: 'resolved' } } as const] : []),
      { kind: 'refresh' },
      ...(c.pages?.onResolve() ?? []),
    ],
  };
}
