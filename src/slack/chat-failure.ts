import { ErrorCode } from '@slack/web-api';
import { ChatFailure } from '../errors.js';
import { PacerClosed } from './pacer.js';

/** Slack errors that retrying cannot fix: they mean the request itself is wrong. */
const PERMANENT = new Set([
  'invalid_blocks',
  'invalid_arguments',
  'invalid_name',
  'invalid_name_specials',
  'invalid_name_maxlength',
  'invalid_name_required',
  'msg_too_long',
  'no_text',
  'is_archived',
  'channel_not_found',
  'cant_update_message',
  'message_not_found',
  'too_many_attachments',
  'invalid_blocks_format',
  'user_not_found',
  'cant_invite',
  'ekm_access_denied',
  'restricted_action',
]);

/**
 * Maps any Web API failure to a `ChatFailure` the domain understands. A 429
 * or an `ok: false` means Slack did nothing; a lost connection, a timeout or
 * a 5xx may have done the work anyway (ambiguous); a call refused before it
 * left because the process is stopping is `stopping`.
 */
export function toChatFailure(err: unknown): ChatFailure {
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    original?: unknown;
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new ChatFailure('ratelimited', true, (e.retryAfter ?? 1) * 1000);
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 500;
      return new ChatFailure(
        `http_${e.statusCode ?? 'error'}`,
        status >= 500 || status === 429,
        undefined,
        status >= 500,
      );
    }
    case ErrorCode.RequestError:
      if (e.original instanceof PacerClosed) return new ChatFailure('stopping', true);
      return new ChatFailure('slack_unreachable', true, undefined, true);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return new ChatFailure(code, !PERMANENT.has(code));
    }
    default:
      return err instanceof ChatFailure
        ? err
        : new ChatFailure(err instanceof Error ? err.message : 'unknown_error', true, undefined, true);
  }
}

/** Runs a Web API call, turning any failure into a `ChatFailure`. */
export async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toChatFailure(err);
  }
}
