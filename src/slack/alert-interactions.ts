import type { App, BlockAction, ButtonAction, ExternalSelectAction } from '@slack/bolt';
import type { Alerts } from '../alerts/service.js';
import { UserError } from '../errors.js';
import { clampText } from '../incident/incident.js';
import type { Policy } from '../incident/policy.js';
import type { Logger } from '../log.js';
import {
  ALERT_DECLARE_ACTION,
  ALERT_DECLARE_VIEW,
  ALERT_PICK_ACTION,
  alertDeclareModal,
  alertValue,
  DIGEST_BLOCK_PREFIX,
} from './alert-blocks.js';
import { simple } from './block-kit.js';
import { dmUser, onFailure } from './error-funnel.js';
import { replyForDeclared } from './replies.js';
import { ALERT_DECLARE_METADATA, readDeclareModal, readMetadata } from './views.js';

export interface AlertInteractionDeps {
  readonly alerts: Alerts;
  readonly policy: Policy;
  readonly log: Logger;
}

const STALE = 'That button is from an alert card I can no longer read. Declare with `/incident declare`.';

function parseValue(text: string | undefined) {
  try {
    return alertValue.safeParse(JSON.parse(text ?? 'null')).data;
  } catch {
    return undefined;
  }
}

/**
 * The Declare button of an alert card and the digest's group picker: both
 * open the declare form prefilled from the group (or say which incident it
 * already has); submitting the form declares the group's one incident.
 */
export function registerAlertInteractions(app: App, deps: AlertInteractionDeps): void {
  const { alerts, policy, log } = deps;

  async function open(
    value: string | undefined,
    body: BlockAction,
    client: App['client'],
    respond: (m: Record<string, unknown>) => Promise<unknown>,
  ): Promise<void> {
    const reply = (m: { text: string; blocks: unknown[] }) =>
      respond({ response_type: 'ephemeral', replace_original: false, ...m }).catch((err: unknown) =>
        log.warn({ err, user: body.user.id }, 'could not answer a Declare button'),
      );
    const v = parseValue(value);
    if (!v) return void (await reply(simple(STALE)));
    const start = await alerts.startDeclare(v.g);
    if (start.kind === 'declared')
      return void (await reply(simple(`That alert group is already declared as *${start.incidentId}*.`)));
    if (v.e !== undefined && v.e !== start.group.episode)
      throw new UserError('conflict', 'That alert group ended and fired again since this card; use its new card.');
    const channel = body.channel?.id ?? body.user.id;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: alertDeclareModal(policy, start.group, start.prefill, channel),
    });
  }

  app.action<BlockAction<ButtonAction>>(
    ALERT_DECLARE_ACTION,
    async ({ ack, action, body, client, respond, context }) => {
      await ack();
      onFailure(context, { fields: { user: body.user.id, action: ALERT_DECLARE_ACTION } });
      await open(action.value, body, client, respond);
    },
  );

  app.action<BlockAction<ExternalSelectAction>>(
    ALERT_PICK_ACTION,
    async ({ ack, action, body, client, respond, context }) => {
      await ack();
      onFailure(context, { fields: { user: body.user.id, action: ALERT_DECLARE_ACTION } });
      await open(action.selected_option?.value, body, client, respond);
    },
  );

  app.options<'block_suggestion'>(
    { action_id: ALERT_PICK_ACTION, type: 'block_suggestion' },
    async ({ ack, options }) => {
      const digestId = Number((options.block_id ?? '').slice(DIGEST_BLOCK_PREFIX.length));
      const lines =
        Number.isInteger(digestId) && digestId > 0 ? await alerts.options(digestId, options.value ?? '') : [];
      await ack({
        options: lines.map((l) => ({
          text: { type: 'plain_text' as const, text: clampText(`${l.level ?? 'no level'} · ${l.title}`, 75) },
          value: JSON.stringify({ g: l.id }),
        })),
      });
    },
  );

  app.view(ALERT_DECLARE_VIEW, async ({ ack, view, body, client, context }) => {
    const read = readDeclareModal(view.state.values, policy);
    if (!read.ok) return void (await ack({ response_action: 'errors', errors: read.errors }));
    await ack();
    const meta = readMetadata(view, ALERT_DECLARE_METADATA);
    const user = body.user.id;
    onFailure(context, { fields: { user, verb: 'declare', alertGroup: meta.g } });
    const { ok: _, ...input } = read;
    const o = await alerts.declare(meta.g ?? 0, meta.e ?? 0, input, { userId: user }, meta.channelId ?? user);
    await dmUser(client, user, replyForDeclared(o, 'alert group'), log);
  });
}
