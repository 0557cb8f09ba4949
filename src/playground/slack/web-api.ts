import { createAuthMethods } from './methods/auth.js';
import { createChatMethods } from './methods/chat.js';
import { createConversationMethods } from './methods/conversations.js';
import { createFileMethods } from './methods/files.js';
import { type Answer, type MethodDeps, type Params, safeJson, slackError } from './methods/method.js';
import { createPinMethods } from './methods/pins.js';
import { createUserMethods } from './methods/users.js';
import { createViewMethods } from './methods/views.js';

/** The Web API of one workspace, as a function from a method's name and parameters to Slack's answer. */
export interface WebApi {
  /** Runs `method` against the workspace; an unknown method answers `unknown_method`, as Slack does. */
  call(method: string, params: Params): Answer;
  /** The methods it emulates. */
  readonly methods: readonly string[];
}

/**
 * The Web API methods the fake emulates, every family on one workspace. It
 * knows nothing of HTTP, tokens, faults or rate limits: whoever serves it
 * decides those, and supplies the Block Kit checks in `deps.validation`.
 */
export function createWebApi(deps: MethodDeps): WebApi {
  const methods = {
    ...createAuthMethods(),
    ...createChatMethods(deps),
    ...createConversationMethods(deps),
    ...createFileMethods(deps),
    ...createPinMethods(deps),
    ...createUserMethods(deps),
    ...createViewMethods(deps),
  };
  return {
    call: (method, params) =>
      Object.hasOwn(methods, method) ? methods[method]!(params) : slackError('unknown_method'),
    methods: Object.keys(methods),
  };
}

/** Fields that carry JSON inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'view', 'attachments']);

/** A call's parameters, or Slack's error code when its JSON body cannot be read as an object. */
export type ParsedParams = { readonly params: Params } | { readonly error: 'invalid_json' | 'json_not_object' };

/**
 * A call's parameters from its query string and body: a JSON body as it is,
 * a form body field by field with `blocks`, `view` and `attachments` decoded.
 */
export function parseParams(contentType: string, raw: string, url: URL): ParsedParams {
  const params: Params = Object.fromEntries(url.searchParams);
  if (contentType.startsWith('application/json')) {
    let body: unknown;
    try {
      body = JSON.parse(raw || '{}');
    } catch {
      return { error: 'invalid_json' };
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { error: 'json_not_object' };
    return { params: { ...params, ...(body as Params) } };
  }
  for (const [k, v] of new URLSearchParams(raw)) params[k] = JSON_FIELDS.has(k) ? safeJson(v) : v;
  return { params };
}
