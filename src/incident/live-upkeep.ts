import type { Incident } from './incident.js';
import type { LiveMessages } from './live-messages.js';
import type { NoticePayload, ReminderClosed } from './notice.js';
import type { Chat, Clock } from './ports.js';

export interface LiveUpkeepDeps {
  readonly chat: Chat;
  readonly live: LiveMessages;
  readonly clock: Clock;
}

type EscalationPayload = Extract<NoticePayload, { kind: 'escalation' }>;

/**
 * One live message per thing. An incident has at most one live update reminder: a new one
 * closes the one before ("replaced"), and an update, a snooze or the resolve closes it too.
 * Escalation DMs are edited in place once the incident is acknowledged or resolved.
 * A closed message is dropped from the live list, so it is edited once.
 */
export function createLiveUpkeep(deps: LiveUpkeepDeps) {
  const { chat, live, clock } = deps;

  async function closeReminder(i: Incident, channel: string, ts: string, due: string, closed: ReminderClosed) {
    await chat.edit(channel, ts, { kind: 'reminder', incident: i, due, since: [], closed });
    await live.drop(i.id, channel, ts);
  }

  /** Why a live reminder is no longer live, from the incident as it is now; undefined while it still is. */
  function reminderClosed(i: Incident, data: Readonly<Record<string, unknown>>): ReminderClosed | undefined {
    if (i.status === 'resolved') return 'resolved';
    const postedAt = Date.parse(String(data.postedAt));
    if (i.lastUpdate && i.lastUpdate.at.getTime() >= postedAt) return 'answered';
    if ((i.nextUpdateDue?.toISOString() ?? null) !== (data.next ?? null)) return 'snoozed';
    return undefined;
  }

  return {
    /** A reminder was posted: the earlier one is replaced, and this one is live. */
    async reminded(i: Incident, posted: { channel: string; ts: string }, due: string): Promise<void> {
      for (const m of await live.list(i.id, 'reminder'))
        if (m.ts !== posted.ts) await closeReminder(i, m.channel, m.ts, String(m.data.due), 'replaced');
      await live.keep(i.id, {
        role: 'reminder',
        ...posted,
        data: { due, next: i.nextUpdateDue?.toISOString() ?? null, postedAt: clock.now().toISOString() },
      });
    },

    /** Escalation DMs went out: each is live until someone acknowledges or the incident is resolved. */
    async paged(i: Incident, posted: readonly { channel: string; ts: string }[], n: EscalationPayload): Promise<void> {
      for (const p of posted)
        await live.keep(i.id, { role: 'page', ...p, data: { step: n.step, notify: n.notify, afterMs: n.afterMs } });
    },

    /** Closes what the incident's change answered: the reminder, and the DMs once acknowledged or resolved. */
    async settle(i: Incident): Promise<void> {
      for (const m of await live.list(i.id, 'reminder')) {
        const closed = reminderClosed(i, m.data);
        if (closed) await closeReminder(i, m.channel, m.ts, String(m.data.due), closed);
      }
      if (!i.ackedAt && i.status !== 'resolved') return;
      for (const m of await live.list(i.id, 'page')) {
        const { step, notify, afterMs } = m.data as { step: number; notify: string[]; afterMs: number };
        await chat.edit(m.channel, m.ts, { kind: 'escalation', incident: i, step, notify, afterMs });
        await live.drop(i.id, m.channel, m.ts);
      }
    },
  };
}
