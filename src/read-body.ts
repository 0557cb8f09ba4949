import type { IncomingMessage } from 'node:http';

/** Past this many times the limit, an oversized body is cut off rather than read to its end. */
const DRAIN_FACTOR = 8;

/**
 * Reads a request body of at most `limit` bytes; undefined once it is bigger,
 * whatever `Content-Length` claimed. An oversized body is read to its end and
 * dropped (so the sender gets the 413), unless it is far over the limit, when
 * the connection is cut. Shared by the Slack endpoint and the webhook routes.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit * DRAIN_FACTOR) {
        resolve(undefined);
        req.destroy();
      }
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
