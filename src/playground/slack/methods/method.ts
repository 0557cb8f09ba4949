import type { SlackWorkspace } from '../workspace.js';

/** A Web API call's parameters, after `blocks`, `view` and `attachments` form fields are decoded from JSON. */
export type Params = Record<string, unknown>;

/** A Web API answer body: `{ ok: true, … }` or `{ ok: false, error, … }`. */
export type Answer = Record<string, unknown>;

/** One Web API method: a call's parameters in, Slack's answer out. */
export type Method = (params: Params) => Answer;

/** A family of methods (`chat.*`, `conversations.*`, …) by full method name. */
export type MethodFamily = Record<string, Method>;

/**
 * The checks of Block Kit the methods cannot make alone: each returns the
 * problems Slack would name, empty when the blocks or the view are valid.
 * The tests supply a schema validator; the methods only decide what to answer.
 */
export interface Validation {
  /** Problems with a message's `blocks` (chat.postMessage, chat.update, response_url replies). */
  messageBlocks(blocks: unknown): string[];
  /** Problems with a modal view (views.open, views.push). */
  modal(view: unknown): string[];
}

/** What each method family works on. */
export interface MethodDeps {
  readonly workspace: SlackWorkspace;
  readonly validation: Validation;
  /** Where the workspace is served (`http://host:port`), for upload URLs and file links. */
  readonly baseUrl: () => string;
}

/** Slack's error answer with this code, and any extra fields Slack adds (`errors`, `response_metadata`). */
export function slackError(error: string, extra: Record<string, unknown> = {}): Answer {
  return { ok: false, error, ...extra };
}

/** Slack's `response_metadata` for problems with blocks or a view: one `[ERROR]` line each. */
export function problemMessages(problems: readonly string[]): { messages: string[] } {
  return { messages: problems.map((m) => `[ERROR] ${m}`) };
}

/** A boolean parameter as Slack reads it: `true` in JSON, `"true"` in a form. */
export function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The JSON in `text`, or the text itself when it is not JSON (Slack then rejects it as the wrong type). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A parameter that holds JSON: parsed when it came as a string (a form field), else as it is. */
export function jsonParam(value: unknown): unknown {
  return typeof value === 'string' ? safeJson(value) : value;
}
