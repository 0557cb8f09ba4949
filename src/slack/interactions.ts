import type { App } from '@slack/bolt';
import { UserError } from '../errors.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import type { SlackMessage } from './block-kit.js';
import { replyForError, replyForOutcome } from './replies.js';
import { readButtonValue } from './runbook-blocks.js';
import {
  DECLARE_VIEW,
  readDeclareModal,
  readUpdateModal,
  type StateValues,
  UPDATE_VIEW,
  updateModal,
} from './views.js';

export interface InteractionDeps {
  readonly service: IncidentService;
  readonly runbooks: Runbooks;
  readonly policy: Policy;
  readonly log: Logger;
}

/**
 * Buttons and modals. Each acks at once; who may do what is decided by the
 * service at click time from Postgres, never from the button's payload.
 */
export function registerInteractions(app: App, deps: InteractionDeps): void {
  const { service, policy, log } = deps;

  const dm = (client: App['client'], user: string, reply: SlackMessage) =>
    client.chat
      .postMessage({ channel: user, ...reply })
      .then(undefined, (err: unknown) => log.warn({ err, user }, 'could not DM the user'));

  app.view(DECLARE_VIEW, async ({ ack, view, body, client }) => {
    const read = readDeclareModal(view.state.values as StateValues, policy);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    const channelId = (JSON.parse(view.private_metadata || '{}') as { channelId?: string }).channelId ?? body.user.id;
    try {
      const o = await service.declare(read, {
        actor: { userId: body.user.id },
        channelId,
        idempotencyKey: `view:${view.id}`,
      });
      const room = o.incident.channelId ? ` War room: <#${o.incident.channelId}>.` : '';
      await dm(
        client,
        body.user.id,
        replyForOutcome(`Declared *${o.incident.id}* (${o.incident.severity}): ${o.incident.title}.${room}`, o),
      );
    } catch (err) {
      await dm(client, body.user.id, replyForError(err, log, { user: body.user.id, verb: 'declare' }));
    }
  });

  app.view(UPDATE_VIEW, async ({ ack, view, body, client }) => {
    const read = readUpdateModal(view.state.values as StateValues);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    const { incidentId } = JSON.parse(view.private_metadata || '{}') as { incidentId?: string };
    try {
      const { ok: _, ...fields } = read;
      const o = await service.postUpdate({ ...(incidentId && { id: incidentId }) }, fields, {
        actor: { userId: body.user.id },
        channelId: body.user.id,
        idempotencyKey: `view:${view.id}`,
      });
      if (o.failures.length) await dm(client, body.user.id, replyForOutcome(`Update posted for ${o.incident.id}.`, o));
    } catch (err) {
      await dm(client, body.user.id, replyForError(err, log, { user: body.user.id, verb: 'update', incidentId }));
    }
  });

  app.action('open_update_modal', async ({ ack, body, client, action, respond }) => {
    await ack();
    const id = (action as { value?: string }).value;
    const channelId = (body as { channel?: { id: string } }).channel?.id ?? '';
    try {
      const incident = await service.find({ ...(id && { id }) }, { actor: { userId: body.user.id }, channelId });
      await client.views.open({ trigger_id: (body as { trigger_id: string }).trigger_id, view: updateModal(incident) });
    } catch (err) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...replyForError(err, log, { user: body.user.id, incidentId: id }),
      });
    }
  });

  for (const [actionId, verdict] of [
    ['runbook_approve', 'approve'],
    ['runbook_deny', 'deny'],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const button = readButtonValue((action as { value?: string }).value ?? '');
      const where = body as { channel?: { id: string }; container?: { message_ts?: string } };
      try {
        if (!button) throw new UserError('usage', 'That button is not a runbook approval button Firebreak knows.');
        await deps.runbooks.decide({
          ...button,
          verdict,
          actor: body.user.id,
          channel: where.channel?.id ?? '',
          messageTs: where.container?.message_ts ?? '',
        });
      } catch (err) {
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...replyForError(err, log, { user: body.user.id, runId: button?.runId }),
        }).catch(() => undefined);
      }
    });
  }

  app.action('ack_incident', async ({ ack, body, action, respond }) => {
    await ack();
    const id = (action as { value?: string }).value;
    const channelId = (body as { channel?: { id: string } }).channel?.id ?? '';
    try {
      const o = await service.acknowledge(
        { ...(id && { id }) },
        {
          actor: { userId: body.user.id },
          channelId,
          idempotencyKey: `act:${(body as { trigger_id: string }).trigger_id}`,
        },
      );
      if (o.failures.length)
        await respond({
          response_type: 'ephemeral',
          replace_original: false,
          ...replyForOutcome(`${o.incident.id} acknowledged.`, o),
        });
    } catch (err) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...replyForError(err, log, { user: body.user.id, incidentId: id }),
      });
    }
  });
}
