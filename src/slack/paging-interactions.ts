import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { Paging } from '../incident/paging.js';
import type { Logger } from '../log.js';
import { type SlackMessage, simple } from './block-kit.js';
import { onFailure } from './error-funnel.js';
import { RETRY_PAGE_ACTION, retryValue } from './paging-blocks.js';
import { replyForOutcome } from './replies.js';

/** The Retry button's value; undefined when it is not one this version can read. */
function readRetryValue(text: string | undefined) {
  try {
    return retryValue.safeParse(JSON.parse(text ?? 'null')).data;
  } catch {
    return undefined;
  }
}

/** The Retry button of a failed page: tries the page again now, on the record, and says how it went. */
export function registerPagingInteractions(app: App, deps: { readonly paging: Paging; readonly log: Logger }): void {
  app.action<BlockAction<ButtonAction>>(RETRY_PAGE_ACTION, async ({ ack, action, body, respond, context }) => {
    await ack();
    const user = body.user.id;
    onFailure(context, { fields: { user, action: RETRY_PAGE_ACTION } });
    let reply: SlackMessage;
    const v = readRetryValue(action.value);
    if (!v) reply = simple('That Retry button is from a message I can no longer read.');
    else {
      const { outcome, result } = await deps.paging.retry(v.i, v.e, { userId: user }, `act:${body.trigger_id}`);
      if (outcome === 'done') reply = simple('That page already went out; there is nothing to retry.');
      else if (outcome === 'unknown' || !result) reply = simple('I cannot find that page any more.');
      else reply = replyForOutcome(`Retrying the page for ${result.incident.id} now.`, result);
    }
    await respond({ response_type: 'ephemeral', replace_original: false, ...reply }).catch((err: unknown) =>
      deps.log.warn({ err, user }, 'could not answer the Retry button'),
    );
  });
}
