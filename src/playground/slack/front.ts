import { type HttpRequest, type JsonServer, serveJson, tokenOf } from './http.js';
import type { Validation } from './methods/method.js';
import { slackError } from './methods/method.js';
import type { Replies } from './replies.js';
import { RESPOND_PATH, receiveUpload, UPLOAD_PATH } from './sinks.js';
import { createWebApi, parseParams } from './web-api.js';
import type { SlackWorkspace } from './workspace.js';

/**
 * Serves one workspace's Web API on 127.0.0.1, for the bot the playground
 * runs: every call must carry `token`, as a bot token; the upload URLs and the
 * `response_url`s handed out with commands and clicks are served beside it.
 */
export async function serveSlack(deps: {
  readonly workspace: SlackWorkspace;
  readonly validation: Validation;
  readonly token: string;
  readonly replies: Replies;
}): Promise<JsonServer> {
  let base = '';
  const api = createWebApi({ workspace: deps.workspace, validation: deps.validation, baseUrl: () => base });
  const route = (req: HttpRequest) => {
    const path = req.url.pathname;
    if (path.startsWith(UPLOAD_PATH)) return receiveUpload(deps.workspace, path.slice(UPLOAD_PATH.length), req.raw);
    if (path.startsWith(RESPOND_PATH)) return deps.replies.receive(path.slice(RESPOND_PATH.length), req.raw);
    if (!path.startsWith('/api/')) return { status: 404, body: slackError('unknown_method') };
    const token = tokenOf(req);
    if (!token) return { status: 200, body: slackError('not_authed') };
    if (token !== deps.token) return { status: 200, body: slackError('invalid_auth') };
    const parsed = parseParams(req.headers['content-type'] ?? '', req.raw, req.url);
    if ('error' in parsed) return { status: 200, body: slackError(parsed.error) };
    return { status: 200, body: api.call(path.slice('/api/'.length), parsed.params) };
  };
  const server = await serveJson(route);
  base = server.url;
  return server;
}
