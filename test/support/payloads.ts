import { APP_ID, TEAM_ID } from './fake-slack.js';

/** A `view_submission` with the sample's field names (samples/app-backend/views) and our own values. */
export function viewSubmission(view: Record<string, unknown>, values: Record<string, unknown>, user = 'U0DECLARER', triggerId = `${Date.now()}.1.abc`) {
  return {
    type: 'view_submission',
    enterprise: null,
    team: { id: TEAM_ID, domain: 'firebreak-test', enterprise_id: '', enterprise_name: '' },
    user: { id: user, username: 'dana', name: 'dana', team_id: TEAM_ID },
    api_app_id: APP_ID,
    token: 'deprecated-verification-token',
    trigger_id: triggerId,
    view: {
      id: view.id, team_id: TEAM_ID, type: 'modal', title: view.title, submit: view.submit, close: view.close, blocks: view.blocks,
      private_metadata: view.private_metadata, callback_id: view.callback_id, external_id: '', state: { values }, hash: view.hash,
      clear_on_close: false, notify_on_close: false, submit_disabled: false, root_view_id: view.id, previous_view_id: null,
      app_id: APP_ID, app_installed_team_id: TEAM_ID, bot_id: view.bot_id,
    },
    is_enterprise_install: false,
    response_urls: [],
  };
}
