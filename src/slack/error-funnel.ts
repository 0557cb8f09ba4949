import type { App, CodedError, Context } from '@slack/bolt';
import type { FetchFunction } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { SlackMessage } from './block-kit.js';
import { replyForError } from './replies.js';

/** What a listener tells the funnel before it works: fields for the log line, and how its reply replaces. */
export interface FailureContext {
  readonly fields: Record<string, unknown>;
  /** The reply to a button replaces the message the button was on (a list's page turner). */
  readonly replaceOriginal?: boolean;
}

/** Keyed by Bolt's per-request context, which Bolt hands both the listener and the error handler. */
const failures = new WeakMap<Context, FailureContext>();

/** Records against Bolt's per-request context what the funnel needs should this listener throw. */
export function onFailure(context: Context, failure: FailureContext): void {
  failures.set(context, failure);
}

/** What Bolt hands an extended error handler; the body is any request's, so only `bodyFields` reads it. */
interface ErrorArgs {
  readonly error: CodedError;
  readonly body: unknown;
  readonly context: Context;
}

/** What the funnel needs from any request body Bolt hands it (events, commands, buttons, forms): each field if it is there. */
const bodyFields = z.looseObject({
  type: z.string().optional().catch(undefined),
  response_url: z.string().optional().catch(undefined),
  user: z
    .looseObject({ id: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  user_id: z.string().optional().catch(undefined),
});
type Body = z.infer<typeof bodyFields>;

/** Where the person who caused an error hears of it. */
type Route = { kind: 'response_url'; url: string } | { kind: 'dm'; user: string } | { kind: 'none' };

function routeOf(body: Body): Route {
  if (body.response_url) return { kind: 'response_url', url: body.response_url };
  const user = body.user?.id ?? body.user_id;
  // A view submission has no response_url and its modal is closed by the time the work fails: a DM.
  if (body.type === 'view_submission' && user) return { kind: 'dm', user };
  return { kind: 'none' };
}

/**
 * Direct-messages `user` the answer to a form they submitted (its modal has closed); a failure to do so is
 * logged, never thrown, since the work itself is done.
 */
export async function dmUser(client: App['client'], user: string, message: SlackMessage, log: Logger): Promise<void> {
  await client.chat
    .postMessage({ channel: user, ...message })
    .then(undefined, (err: unknown) => log.warn({ err, user }, 'could not DM the user'));
}

/** Bolt wraps errors without a `code` in an UnknownError; the reply is about the original. */
function original(error: CodedError): unknown {
  return error.original ?? error;
}

/**
 * The one place a listener's error reaches the user. Listeners throw; this
 * turns the error into words through `replyForError` and sends them where
 * the person will see them: ephemeral through `response_url` for commands and
 * buttons, a DM for view submissions. Events have nobody to answer: logged.
 */
export function installErrorFunnel(app: App, deps: { readonly log: Logger; readonly fetch: FetchFunction }): void {
  const { log } = deps;
  /** `replaceOriginal` only for a button's message; a command's reply has no message to replace. */
  const respond = async (url: string, message: SlackMessage, replaceOriginal: boolean | undefined) => {
    const res = await deps.fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        response_type: 'ephemeral',
        ...(replaceOriginal !== undefined && { replace_original: replaceOriginal }),
        ...message,
      }),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  };

  app.error(async ({ error, body: raw, context }: ErrorArgs) => {
    const parsed = bodyFields.safeParse(raw);
    const b: Body = parsed.success ? parsed.data : {};
    const route = routeOf(b);
    const failure = failures.get(context);
    if (route.kind === 'none') {
      log.error({ ...failure?.fields, err: original(error) }, 'unhandled Slack listener error');
      return;
    }
    const fields = { user: b.user?.id ?? b.user_id, ...failure?.fields };
    const reply = replyForError(original(error), log, fields);
    try {
      const button = b.type === 'block_actions';
      if (route.kind === 'response_url')
        await respond(route.url, reply, button ? (failure?.replaceOriginal ?? false) : undefined);
      else await app.client.chat.postMessage({ token: context.botToken, channel: route.user, ...reply });
    } catch (err) {
      log.warn({ ...fields, err }, 'could not reply to the user');
    }
  });
}
