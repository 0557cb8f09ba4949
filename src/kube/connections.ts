/** Keep-alive connections to the API server: one TLS connection pool per TLS identity, as client-go keeps. */
import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:https';
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * client-node 2 gives every API call a new undici Agent, so every call opens a new TCP and TLS
 * connection to the API server. That costs a handshake per call and, for a change made on a
 * fresh read with a resourceVersion precondition, widens the window in which a status write
 * makes it conflict. This keeps the first Agent built for a TLS identity (server, proxy, CA,
 * client certificate and key, verification) and hands it to every later call with the same one;
 * when the identity changes (a rotated certificate file, an exec plugin's new client
 * certificate), the next call gets a fresh Agent and the old one closes after its requests.
 * Authentication headers (tokens, exec credentials) are still applied to every call.
 */
export function keepConnections(kc: KubeConfig): KubeConfig {
  const apply = kc.applySecurityAuthentication.bind(kc);
  let kept: { identity: string; dispatcher: Dispatcher } | undefined;
  kc.applySecurityAuthentication = async (context: RequestContext) => {
    // The identity is read before the call's Agent is built: if it changes in between, the Agent
    // kept is filed under the older identity and the next call replaces it.
    const identity = await tlsIdentity(kc);
    await apply(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    if (kept?.identity === identity) {
      context.setDispatcher(kept.dispatcher);
      void fresh.close().catch(() => undefined);
      return;
    }
    const old = kept;
    kept = { identity, dispatcher: fresh };
    void old?.dispatcher.close().catch(() => undefined);
  };
  return kc;
}

/** A digest of what the call's TLS connection is built from, as client-node reads it for each call. */
async function tlsIdentity(kc: KubeConfig): Promise<string> {
  const o: RequestOptions = {};
  await kc.applyToHTTPSOptions(o);
  const cluster = kc.getCurrentCluster();
  const parts = [cluster?.server, cluster?.proxyUrl, o.ca, o.cert, o.key, o.pfx, o.rejectUnauthorized, o.servername];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
