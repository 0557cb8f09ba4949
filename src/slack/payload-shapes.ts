import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';

const id = z.string().min(1);
const user = z.looseObject({ id });

/** One input's state in a submitted view: text inputs carry `value`, selects `selected_option`. */
const stateValue = z.looseObject({
  value: z.string().nullish(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
});
const view = z.looseObject({
  id,
  callback_id: z.string(),
  private_metadata: z.string().optional(),
  state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), stateValue)) }).optional(),
});

const interactive = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('block_actions'),
    user,
    actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
  }),
  z.looseObject({
    type: z.literal('view_submission'),
    user,
    view: view.extend({ state: z.looseObject({ values: view.shape.state.unwrap().shape.values }) }),
  }),
  z.looseObject({ type: z.literal('view_closed'), user, view }),
  z.looseObject({ type: z.enum(['shortcut', 'message_action', 'block_suggestion', 'interactive_message']), user }),
]);

/** A slash command's form fields; a repeated field would arrive as an array, which Slack never sends. */
const command = z.looseObject({
  command: z.string(),
  text: z.string(),
  user_id: id,
  channel_id: id,
  trigger_id: z.string(),
  response_url: z.string(),
});

const events = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string() }) }),
  z.looseObject({ type: z.literal('app_rate_limited') }),
]);

function problemOf(result: z.ZodSafeParseResult<unknown>): string | undefined {
  if (result.success) return undefined;
  const issue = result.error.issues[0]!;
  return `${issue.path.join('.') || 'the body'}: ${issue.message}`;
}

function json(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * What is wrong with a signed request body that Slack would never send, in
 * words for the log and the 400 answer; undefined when it has the shape Bolt
 * and our listeners rely on. Parses the body the way Bolt's receiver does.
 */
export function payloadProblem(contentType: string | undefined, body: string): string | undefined {
  if (contentType === 'application/x-www-form-urlencoded') {
    const fields = parseQuery(body);
    if (fields.ssl_check === '1') return undefined;
    if (fields.payload === undefined) return problemOf(command.safeParse(fields));
    if (typeof fields.payload !== 'string') return 'payload: expected one form field';
    const parsed = json(fields.payload);
    if (!parsed.ok) return 'payload: not JSON';
    return problemOf(interactive.safeParse(parsed.value));
  }
  const parsed = json(body);
  if (!parsed.ok) return 'the body: not JSON';
  return problemOf(events.safeParse(parsed.value));
}
