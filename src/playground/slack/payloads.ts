import { APP_ID, TEAM_ID } from './workspace.js';

/** The workspace's domain, as payloads carry it beside the team ID. */
const DOMAIN = 'firebreak-test';

/**
 * A `view_submission` with the sample's field names (samples/app-backend/views) and our own values;
 * `userName` is the submitter's handle.
 */
export function viewSubmission(
  view: Record<string, unknown>,
  values: Record<string, unknown>,
  user = 'U0DECLARER',
  triggerId = `${Date.now()}.1.abc`,
  userName = 'dana',
) {
  return {
    type: 'view_submission',
    enterprise: null,
    team: { id: TEAM_ID, domain: DOMAIN, enterprise_id: '', enterprise_name: '' },
    user: { id: user, username: userName, name: userName, team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
    view: {
      id: view.id,
      team_id: TEAM_ID,
      type: 'modal',
      title: view.title,
      submit: view.submit,
      close: view.close,
      blocks: view.blocks,
      private_metadata: view.private_metadata,
      callback_id: view.callback_id,
      external_id: '',
      state: { values },
      hash: view.hash,
      clear_on_close: false,
      notify_on_close: false,
      submit_disabled: false,
      root_view_id: view.id,
      previous_view_id: null,
      app_id: APP_ID,
      app_installed_team_id: TEAM_ID,
      bot_id: view.bot_id,
    },
    is_enterprise_install: false,
    response_urls: [],
  };
}

/**
 * A `block_actions` click with the sample's field names (samples/app-backend/interactive-components).
 * By default a button; `action` replaces the clicked element's own fields (a select's `selected_option`),
 * and `message` the message it sat in.
 */
export function blockAction(opts: {
  actionId: string;
  value?: string;
  user: string;
  userName?: string;
  channel: string;
  channelName?: string;
  messageTs: string;
  message?: Record<string, unknown>;
  responseUrl: string;
  triggerId: string;
  blockId?: string;
  action?: Record<string, unknown>;
  /** The clicked message is an ephemeral one, which only the clicker sees. */
  ephemeral?: boolean;
}) {
  const userName = opts.userName ?? 'dana';
  const button = {
    text: { type: 'plain_text', text: 'Button', emoji: true },
    value: opts.value,
    type: 'button',
  };
  return {
    type: 'block_actions',
    enterprise: null,
    team: { id: TEAM_ID, domain: DOMAIN },
    user: { id: opts.user, username: userName, name: userName, team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    container: {
      type: 'message',
      message_ts: opts.messageTs,
      channel_id: opts.channel,
      is_ephemeral: opts.ephemeral ?? false,
    },
    trigger_id: opts.triggerId,
    channel: { id: opts.channel, name: opts.channelName ?? 'war-room' },
    message: opts.message ?? { type: 'message', ts: opts.messageTs, text: '', user: 'U0FIREBOT1', blocks: [] },
    response_url: opts.responseUrl,
    state: { values: {} },
    actions: [
      {
        action_id: opts.actionId,
        block_id: opts.blockId ?? 'card_actions',
        ...(opts.action ?? button),
        action_ts: `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
    is_enterprise_install: false,
  };
}

/** A slash command's form fields, named as in Slack's sample payload; the body is them URL-encoded. */
export function slashCommand(opts: {
  command: string;
  text: string;
  user: string;
  userName: string;
  channel: string;
  channelName: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    api_app_id: APP_ID,
    team_id: TEAM_ID,
    team_domain: DOMAIN,
    enterprise_id: '',
    enterprise_name: '',
    channel_id: opts.channel,
    channel_name: opts.channelName,
    user_id: opts.user,
    user_name: opts.userName,
    command: opts.command,
    text: opts.text,
    response_url: opts.responseUrl,
    trigger_id: opts.triggerId,
    is_enterprise_install: 'false',
  };
}

let eventSeq = 0;

/** An Events API `event_callback` envelope with the samples' field names (samples/events). */
export function eventCallback(
  event: Record<string, unknown>,
  eventId = `Ev${Date.now().toString(36).toUpperCase()}${(++eventSeq).toString(36).toUpperCase()}`,
) {
  return {
    token: 'deprecated-verification-token',
    team_id: TEAM_ID,
    enterprise_id: null,
    api_app_id: APP_ID,
    event: { ...event, event_ts: (event.event_ts as string | undefined) ?? `${(Date.now() / 1000).toFixed(6)}` },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: TEAM_ID, user_id: 'U0FIREBOT1', is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${eventId}`,
  };
}
