import { errorReference, OutcomeUnknownError, StorageUnavailableError, UserError } from '../errors.js';
import { type EffectFailure, STORAGE_FAILURE } from '../incident/effect-failures.js';
import type { Outcome } from '../incident/requests.js';
import type { Logger } from '../log.js';
import { type SlackMessage, simple } from './block-kit.js';
import { timeSecs } from './dates.js';
import { channelLink, PING_REASONS, ping } from './mentions.js';

/**
 * The one place errors become words. A `UserError` is shown as is; storage
 * trouble says so; anything else is logged and the user gets a reference.
 */
export function replyForError(err: unknown, log: Logger, context: Record<string, unknown>): SlackMessage {
  if (err instanceof UserError) return simple(linkIds(err.message));
  if (err instanceof StorageUnavailableError) {
    log.error(
      { ...context, err: { message: err.message, cause: (err.cause as Error | undefined)?.message } },
      'storage unavailable',
    );
    return simple(`:warning: ${err.message} If it persists, tell whoever runs Firebreak that Postgres is down.`);
  }
  if (err instanceof OutcomeUnknownError) {
    log.error(
      { ...context, err: { message: err.message, cause: (err.cause as Error | undefined)?.message } },
      'outcome unknown: postgres went away during commit',
    );
    return simple(`:grey_question: ${err.message}`);
  }
  const ref = errorReference();
  log.error({ ...context, ref, err }, 'command failed');
  return simple(
    `:x: Something went wrong (reference \`${ref}\`). Check \`/incident list\` before retrying, and give the reference to whoever runs Firebreak.`,
  );
}

/**
 * The people and channels a domain message names by ID, as Slack shows them: a reply is
 * ephemeral, so a mention there shows a name and notifies no one.
 */
export function linkIds(text: string): string {
  return text
    .replace(/(?<![\w<@#-])([UW](?=[A-Z0-9]*\d)[A-Z0-9]{8,})\b/g, (_, id: string) => ping(id, PING_REASONS.ephemeral))
    .replace(/(?<![\w<@#-])([CG](?=[A-Z0-9]*\d)[A-Z0-9]{8,})\b/g, (_, id: string) => channelLink(id));
}

/** The ephemeral confirmation of a command, with any Slack trouble spelled out. */
export function replyForOutcome(done: string, outcome: Outcome): SlackMessage {
  const lines = [outcome.duplicate ? `${done} (this was a repeated delivery; nothing new was recorded)` : done];
  lines.push(...outcome.failures.map(describeFailure));
  if (outcome.pending)
    lines.push(
      ':hourglass_flowing_sand: Slack is pacing our messages (its rate limits), so the rest of the Slack side follows in a moment; it is recorded and will not be lost.',
    );
  return simple(lines.join('\n'));
}

/**
 * The one reply to a declaration, wherever it came from: the command, the form, or an alert group's Declare
 * button (`from: 'alert group'`, whose repeat names the incident the group already has).
 */
export function replyForDeclared(o: Outcome, from?: 'alert group'): SlackMessage {
  const i = o.incident;
  if (from && o.duplicate)
    return replyForOutcome(`That ${from} was already declared as *${i.id}*; nothing new was declared.`, {
      ...o,
      duplicate: false,
    });
  const origin = from ? ` from the ${from}` : '';
  const room = i.channelId ? ` War room: <#${i.channelId}>.` : '';
  return replyForOutcome(`Declared *${i.id}* (${i.severity})${origin}: ${i.title}.${room}`, o);
}

function describeFailure(f: EffectFailure): string {
  if (f.code === STORAGE_FAILURE)
    return `:warning: ${f.what} was interrupted: Postgres became unreachable after your change was recorded. The rest is finished by itself once storage is back.`;
  const when = f.retryAt ? `I will retry at ${timeSecs(f.retryAt)}` : 'I gave up; please do it by hand';
  return `:warning: ${f.what} failed (${f.service ?? 'Slack'} said \`${f.code}\`). The incident is recorded and this is on its timeline; ${when}.`;
}
