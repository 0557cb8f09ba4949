import type { App } from '@slack/bolt';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { SlackMessage } from './block-kit.js';
import { time } from './dates.js';
import { JOIN_ROOM_ACTION } from './notice-blocks.js';
import { REMINDER_ACTIONS } from './reminder-blocks.js';
import { replyForError, replyForOutcome } from './replies.js';

export interface ReminderInteractionDeps {
  readonly service: IncidentService;
  readonly log: Logger;
}

type Click = { value?: string };
type Body = { user: { id: string }; channel?: { id: string }; trigger_id?: string };

/**
 * The reminder's buttons ("no change, still investigating" and the snoozes) and the Join
 * war room link (only acknowledged: Slack opens the link). Who may do what is decided by
 * the service; the answer is an ephemeral reply to the clicker.
 */
export function registerReminderInteractions(app: App, deps: ReminderInteractionDeps): void {
  const { service, log } = deps;

  app.action(JOIN_ROOM_ACTION, async ({ ack }) => {
    await ack();
  });

  const context = (body: Body) => ({
    actor: { userId: body.user.id },
    channelId: body.channel?.id ?? '',
    idempotencyKey: `act:${body.trigger_id ?? ''}`,
  });

  type Ctx = ReturnType<typeof context>;
  /** A reminder button: acks, does `work` for the incident the button names, and answers the clicker. */
  const onClick = (actionId: string, work: (ref: { id?: string }, ctx: Ctx) => Promise<SlackMessage>) =>
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const id = (action as Click).value;
      const reply = await work({ ...(id && { id }) }, context(body as Body)).catch((err: unknown) =>
        replyForError(err, log, { user: body.user.id, incidentId: id }),
      );
      await respond({ response_type: 'ephemeral', replace_original: false, ...reply }).catch(() => undefined);
    });

  onClick(REMINDER_ACTIONS.noChange, async (ref, ctx) => {
    const incident = await service.find(ref, ctx);
    const o = await service.postUpdate(ref, { progress: `No change; still ${incident.status}.` }, ctx);
    const due = o.incident.nextUpdateDue ? ` The next update is due ${time(o.incident.nextUpdateDue)}.` : '';
    return replyForOutcome(`Posted "no change" for ${o.incident.id}.${due}`, o);
  });

  for (const [actionId, ms] of Object.entries(REMINDER_ACTIONS.snooze))
    onClick(actionId, async (ref, ctx) => {
      const o = await service.snooze(ref, ms, ctx);
      const due = o.incident.nextUpdateDue ? time(o.incident.nextUpdateDue) : 'later';
      return replyForOutcome(`Update clock of ${o.incident.id} snoozed; next update due ${due}.`, o);
    });
}
