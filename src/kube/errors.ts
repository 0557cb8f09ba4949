import { STATUS_CODES } from 'node:http';
import { ClusterFailure } from '../errors.js';
import { untrusted } from '../runbook/text.js';

function parsed(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The message of a Kubernetes `Status` body; undefined for anything else (an HTML error page, a proxy's text). */
export function statusMessage(body: unknown): string | undefined {
  const status = parsed(body) as { kind?: unknown; message?: unknown } | undefined;
  if (status?.kind !== 'Status' || typeof status.message !== 'string') return undefined;
  return untrusted(status.message, 300);
}

/** The HTTP status of a client-node `ApiException` (or a raw response error), if it has one. */
export function httpCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Maps an API error to a `ClusterFailure` with a plain message. A Kubernetes `Status` gives its
 * message; any other body (a gateway's 502 page that may echo request headers, tokens included)
 * is summarised by its status code and never repeated. Network failures keep only their cause.
 */
export function toClusterFailure(err: unknown, what: string, change?: { sent: boolean }): ClusterFailure {
  if (err instanceof ClusterFailure) return err;
  const code = httpCode(err);
  const e = err as { body?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const summary = code ? `the API server answered ${code} ${STATUS_CODES[code] ?? ''}`.trim() : undefined;
  const network = untrusted(String(e.cause?.code ?? e.cause?.message ?? e.message ?? 'unknown error'), 200);
  const detail = (code && statusMessage(e.body)) || summary || (network.includes('HTTP-Code') ? 'no answer' : network);
  // A change that went out and got no clear answer (no response, a 5xx, a gateway's page) may have landed.
  if (change?.sent && (code === undefined || code >= 500))
    return new ClusterFailure(
      'unknown',
      `No clear answer from the Kubernetes API while ${what} (${detail}): the change may or may not have been applied. Check the deployment before requesting the run again.`,
    );
  switch (code) {
    case 401:
    case 403:
      return new ClusterFailure(
        'forbidden',
        `The cluster refused ${what}: ${detail}. The bot's service account needs that permission (see manifests/rbac.yaml).`,
      );
    case 404:
      return new ClusterFailure('not_found', `Not found while ${what}: ${detail}. Check the namespace and name.`);
    case 409:
      return new ClusterFailure(
        'conflict',
        `The object changed while ${what} (${detail}). Nothing was applied; review the new preview and approve again.`,
      );
    case 400:
    case 415:
    case 422:
      return new ClusterFailure(
        'invalid',
        `The cluster rejected ${what}: ${detail}. Nothing was applied; check the values the playbook gives this step.`,
      );
    default:
      return new ClusterFailure(
        'unreachable',
        `The Kubernetes API could not be reached while ${what} (${detail}). Nothing was applied; try again when the API server answers.`,
      );
  }
}
