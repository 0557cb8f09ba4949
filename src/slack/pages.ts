import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { z } from 'zod';
import type { Policy } from '../incident/policy.js';
import type { RecordService } from '../incident/record-service.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import { type SlackMessage, simple } from './block-kit.js';
import { renderList } from './blocks.js';
import { onFailure } from './error-funnel.js';
import { followupsValue, listValue, PAGE_ACTIONS, timelineStart, timelineValue } from './page-values.js';
import { renderFollowups, renderTimeline } from './record-blocks.js';

export interface PageDeps {
  readonly service: IncidentService;
  readonly record: RecordService;
  readonly policy: Policy;
  readonly log: Logger;
}

/** A button value as JSON; undefined (so stale) when it is not JSON at all. */
function readJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? 'null');
  } catch {
    return undefined;
  }
}

const STALE = 'That page button is from a message I can no longer read. Run the command again for a fresh page.';

/**
 * The page buttons of `/incident timeline`, `followups` and `list`. A click
 * replaces the ephemeral message with the page it asks for, read from the
 * edge entry the button carries (keyset), so entries added meanwhile are
 * neither skipped nor shown twice.
 */
export function registerPages(app: App, deps: PageDeps): void {
  const { service, record, policy, log } = deps;

  function on<T>(
    actionIds: readonly string[],
    schema: z.ZodType<T>,
    page: (value: T, user: string) => Promise<SlackMessage>,
  ) {
    for (const actionId of actionIds) {
      app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond, context }) => {
        await ack();
        const user = body.user.id;
        onFailure(context, { fields: { user, action: actionId }, replaceOriginal: true });
        const parsed = schema.safeParse(readJson(action.value));
        const reply = parsed.success ? await page(parsed.data, user) : simple(STALE);
        await respond({ response_type: 'ephemeral', replace_original: true, ...reply }).catch((err: unknown) =>
          log.warn({ err, user, action: actionId }, 'could not show the page'),
        );
      });
    }
  }

  const ctx = (user: string) => ({ actor: { userId: user }, channelId: '' });
  on([PAGE_ACTIONS.timelinePrevious, PAGE_ACTIONS.timelineNext], timelineValue, async (v, user) =>
    renderTimeline(await record.timeline({ id: v.i }, timelineStart(v), ctx(user))),
  );
  on([PAGE_ACTIONS.followupsNext], followupsValue, async (v, user) =>
    renderFollowups(await record.followups({ id: v.i }, ctx(user), { afterId: v.a, before: v.n })),
  );
  on([PAGE_ACTIONS.listNext], listValue, async (v) => renderList(await service.list(v.a), v.n, policy));
}
