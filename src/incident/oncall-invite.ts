import type { Effect } from './effect-spec.js';
import { WaitingForRoom } from './effect-waits.js';
import type { Incident } from './incident.js';
import { notConfigured, type OnCall, type PagerDutyDirectory, type People, type Unmatched } from './paging-ports.js';
import type { Policy } from './policy.js';
import type { Chat } from './ports.js';

/** What the on-call invitation needs. */
export interface OnCallInviteDeps {
  /** Undefined without a REST key. */
  readonly pagerduty: PagerDutyDirectory | undefined;
  readonly people: People;
  readonly chat: Chat;
  readonly policy: Policy;
}

/** Puts a line on the incident's timeline. */
export type Note = (incident: Incident, kind: string, text: string, data: Record<string, unknown>) => Promise<void>;

/**
 * The `oncall` effect: invites who is on call in PagerDuty's escalation policies
 * into the war room (matched by email, each person once, at their lowest level),
 * tells the room, and notes who could not be found in Slack.
 */
export function createOnCallInviter(deps: OnCallInviteDeps, note: Note) {
  return async function inviteOnCall(incident: Incident, effect: Effect): Promise<void> {
    if (!incident.channelId) throw new WaitingForRoom();
    if (!deps.pagerduty) throw notConfigured('set PAGERDUTY_TOKEN');
    const onCalls = await deps.pagerduty.onCalls(deps.policy.pagerduty.escalationPolicies);
    const people = new Map<string, OnCall>();
    for (const o of [...onCalls].sort((a, b) => a.level - b.level)) {
      const key = (o.email ?? o.name).toLowerCase();
      if (!people.has(key)) people.set(key, o);
    }
    const invited: string[] = [];
    const unmatched: Unmatched[] = [];
    for (const o of people.values()) {
      const userId = o.email ? await deps.people.userIdByEmail(o.email) : undefined;
      if (userId) invited.push(userId);
      else unmatched.push({ name: o.name, email: o.email, level: o.level });
    }
    if (invited.length) await deps.chat.invite(incident.channelId, invited);
    if (invited.length || unmatched.length)
      await deps.chat.post(
        incident.channelId,
        { kind: 'oncall', incident, invited, unmatched },
        { key: `effect-${effect.id}`, retry: effect.unsure },
      );
    const missing = unmatched.map((u) => `${u.name}${u.email ? ` <${u.email}>` : ''}`).join(', ');
    await note(
      incident,
      'oncall',
      `On call in PagerDuty: ${invited.length} invited to the war room${missing ? `; not found in Slack: ${missing}` : ''}`,
      { invited, unmatched },
    );
  };
}
