import type { HttpAnswer } from './http.js';
import type { Validation } from './methods/method.js';
import type { SlackWorkspace } from './workspace.js';

/** The path prefix of upload URLs that files.getUploadURLExternal hands out. */
export const UPLOAD_PATH = '/upload/';
/** The path prefix of `response_url`s the tests put in payloads. */
export const RESPOND_PATH = '/respond/';

/**
 * Receives the bytes of a file at its upload URL: the file must be waiting
 * for them (not completed), and the bytes must be as many as announced.
 */
export function receiveUpload(workspace: SlackWorkspace, fileId: string, raw: string): HttpAnswer {
  const file = workspace.files.get(fileId);
  if (!file || file.completed) return { status: 404, body: { ok: false, error: 'file_not_found' } };
  if (Buffer.byteLength(raw) !== file.length) return { status: 400, body: { ok: false, error: 'length_mismatch' } };
  file.content = raw;
  return { status: 200, body: { ok: true } };
}

/** A reply the app sent to a `response_url`: the URL's path and the JSON body. */
export interface Response {
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/** Where replies to `response_url`s land; `responses` holds the accepted ones in order. */
export interface ResponseSink {
  readonly responses: Response[];
  /** Takes a reply posted to `path`: JSON, with valid blocks if any, else Slack's error. */
  receive(path: string, raw: string): HttpAnswer;
}

/**
 * A reply posted to a `response_url`, read as Slack reads it: a JSON object whose blocks, if any, pass
 * `validation`. Answers the body, or Slack's refusal.
 */
export function readReply(
  raw: string,
  validation: Validation,
): { body: Record<string, unknown> } | { refused: HttpAnswer } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { refused: { status: 400, body: { ok: false, error: 'invalid_payload' } } };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return { refused: { status: 400, body: { ok: false, error: 'invalid_payload' } } };
  const reply = body as Record<string, unknown>;
  if (reply.blocks !== undefined && validation.messageBlocks(reply.blocks).length)
    return { refused: { status: 400, body: { ok: false, error: 'invalid_blocks' } } };
  return { body: reply };
}

/** A sink for `response_url` replies that checks their blocks with `validation`, as Slack does. */
export function createResponseSink(validation: Validation): ResponseSink {
  const responses: Response[] = [];
  return {
    responses,
    receive(path, raw) {
      const read = readReply(raw, validation);
      if ('refused' in read) return read.refused;
      responses.push({ url: path, body: read.body });
      return { status: 200, body: { ok: true } };
    },
  };
}
