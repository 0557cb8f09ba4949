import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { UserError } from '../errors.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import type { SlackMessage } from './block-kit.js';
import { dmUser, onFailure } from './error-funnel.js';
import { replyForDeclared, replyForOutcome } from './replies.js';
import { readButtonValue } from './runbook-blocks.js';
import {
  DECLARE_METADATA,
  DECLARE_VIEW,
  readDeclareModal,
  readMetadata,
  readUpdateModal,
  UPDATE_METADATA,
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

  const dm = (client: App['client'], user: string, reply: SlackMessage) => dmUser(client, user, reply, log);

  app.view(DECLARE_VIEW, async ({ ack, view, body, client, context }) => {
    const read = readDeclareModal(view.state.values, policy);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    onFailure(context, { fields: { user: body.user.id, verb: 'declare' } });
    const channelId = readMetadata(view, DECLARE_METADATA).channelId ?? body.user.id;
    const o = await service.declare(read, {
      actor: { userId: body.user.id },
      channelId,
      idempotencyKey: `view:${view.id}`,
    });
    await dm(client, body.user.id, replyForDeclared(o));
  });

  app.view(UPDATE_VIEW, async ({ ack, view, body, client, context }) => {
    const read = readUpdateModal(view.state.values);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    const { incidentId } = readMetadata(view, UPDATE_METADATA);
    onFailure(context, { fields: { user: body.user.id, verb: 'update', incidentId } });
    const { ok: _, ...fields } = read;
    const o = await service.postUpdate({ ...(incidentId && { id: incidentId }) }, fields, {
      actor: { userId: body.user.id },
      channelId: body.user.id,
      idempotencyKey: `view:${view.id}`,
    });
    if (o.failures.length) await dm(client, body.user.id, replyForOutcome(`Update posted for ${o.incident.id}.`, o));
  });

  app.action<BlockAction<ButtonAction>>('open_update_modal', async ({ ack, body, client, action, context }) => {
    await ack();
    const id = action.value;
    onFailure(context, { fields: { user: body.user.id, incidentId: id } });
    const channelId = body.channel?.id ?? '';
    const incident = await service.find({ ...(id && { id }) }, { actor: { userId: body.user.id }, channelId });
    await client.views.open({ trigger_id: body.trigger_id, view: updateModal(incident) });
  });

  for (const [actionId, verdict] of [
    ['runbook_approve', 'approve'],
    ['runbook_deny', 'deny'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, context }) => {
      await ack();
      const button = readButtonValue(action.value ?? '');
      onFailure(context, { fields: { user: body.user.id, runId: button?.runId } });
      if (!button) throw new UserError('usage', 'That button is not a runbook approval button Firebreak knows.');
      await deps.runbooks.decide({
        ...button,
        verdict,
        actor: body.user.id,
        channel: body.channel?.id ?? '',
        messageTs: body.container?.message_ts ?? '',
      });
    });
  }

  app.action<BlockAction<ButtonAction>>('ack_incident', async ({ ack, body, action, respond, context }) => {
    await ack();
    const id = action.value;
    onFailure(context, { fields: { user: body.user.id, incidentId: id } });
    const o = await service.acknowledge(
      { ...(id && { id }) },
      { actor: { userId: body.user.id }, channelId: body.channel?.id ?? '', idempotencyKey: `act:${body.trigger_id}` },
    );
    if (o.failures.length)
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        ...replyForOutcome(`${o.incident.id} acknowledged.`, o),
      });
  });
}
