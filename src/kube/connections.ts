/** Keep-alive connections to the API server: one TLS connection pool per TLS identity, as client-go keeps. */
import { createHash, type Hash } from 'node:crypto';
import type { AgentOptions } from 'node:https';
import type { Cluster, KubeConfig, RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;
/** The method client-node builds each call's undici Agent with (private in its typings, a plain method at run time). */
type BuildsDispatchers = {
  createDispatcher?: (cluster: Cluster | null, options: AgentOptions) => Dispatcher | undefined;
};

/** How long a replaced Agent stays open for calls already given it, before it closes. */
const REPLACED_CLOSE_MS = 60_000;

/**
 * client-node 2 builds a new undici Agent for every API call, so every call opens a new TCP and
 * TLS connection to the API server. That costs a handshake per call and, for a change made on a
 * fresh read with a resourceVersion precondition, widens the window in which a status write
 * makes it conflict. This keeps the Agent built for a TLS identity (exactly the options
 * client-node builds it from: proxy, CA, client certificate and key, verification, server name)
 * and hands it to every later call with the same identity. When the identity changes (a rotated
 * CA file, an exec plugin's new client certificate), the next call gets a new Agent and the old
 * one closes `closeAfterMs` later, so a call already given it still goes out. Authentication
 * headers (tokens, exec credentials) are applied to every call as before.
 */
export function keepConnections(kc: KubeConfig, closeAfterMs = REPLACED_CLOSE_MS): KubeConfig {
  const target = kc as unknown as BuildsDispatchers;
  // A client-node that no longer builds Agents this way keeps its own behaviour (a test notices).
  if (typeof target.createDispatcher !== 'function') return kc;
  const build = target.createDispatcher.bind(kc);
  let kept: { identity: string; dispatcher: Dispatcher } | undefined;
  target.createDispatcher = (cluster, options) => {
    const identity = digest(kc.createDispatcherOptions(cluster, options));
    if (kept?.identity === identity) return kept.dispatcher;
    const fresh = build(cluster, options);
    if (!fresh) return fresh;
    const old = kept;
    kept = { identity, dispatcher: fresh };
    if (old) setTimeout(() => void old.dispatcher.close().catch(() => undefined), closeAfterMs).unref();
    return fresh;
  };
  return kc;
}

/** A digest of the options an Agent is built from: buffers (certificates, keys) hashed as bytes. */
function digest(options: unknown): string {
  const hash = createHash('sha256');
  feed(hash, options);
  return hash.digest('hex');
}

function feed(hash: Hash, v: unknown): void {
  if (Buffer.isBuffer(v)) hash.update('b').update(String(v.length)).update(':').update(v);
  else if (Array.isArray(v)) {
    hash.update('[');
    for (const x of v) feed(hash, x);
    hash.update(']');
  } else if (v && typeof v === 'object') {
    hash.update('{');
    for (const k of Object.keys(v).sort()) {
      hash.update(JSON.stringify(k));
      feed(hash, (v as Record<string, unknown>)[k]);
    }
    hash.update('}');
  } else hash.update(`${typeof v}:${JSON.stringify(v) ?? ''};`);
}
