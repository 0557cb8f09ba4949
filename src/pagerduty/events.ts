import type { PageEvent, Pager } from '../incident/paging-ports.js';
import { failureOf, unreachable } from './failure.js';

export interface EventsOptions {
  /** `https://events.pagerduty.com`, the EU host, or an `http://` proxy or fake. */
  readonly url: string;
  readonly timeoutMs?: number;
}

/** The JSON body of an event, as PagerDuty's Events API v2 names its fields. */
export function eventBody(event: PageEvent): Record<string, unknown> {
  const p = event.payload;
  return {
    routing_key: event.routingKey,
    event_action: event.action,
    dedup_key: event.dedupKey,
    ...(p && {
      payload: {
        summary: p.summary,
        source: p.source,
        severity: p.severity,
        timestamp: p.timestamp,
        ...(p.component && { component: p.component }),
        class: p.class,
        custom_details: p.customDetails,
      },
      client: 'Firebreak',
    }),
    ...(event.links?.length && { links: event.links }),
  };
}

/**
 * PagerDuty's Events API v2 (`POST /v2/enqueue`), called with `fetch`: one
 * request per call, with a timeout, and every answer but 202 turned into a
 * `PagerFailure` the outbox retries or gives up. (pdjs's `event()` only
 * reaches `https://` hosts, retries 429 on its own 20-second timer, has no
 * working timeout, and rejects an empty 429 or 5xx body with a JSON error.)
 */
export function createEventsApi(options: EventsOptions): Pager {
  const endpoint = `${options.url.replace(/\/+$/, '')}/v2/enqueue`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async send(event) {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(eventBody(event)),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw unreachable(err);
      }
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) return;
      throw failureOf(res.status, res.headers, text);
    },
  };
}
