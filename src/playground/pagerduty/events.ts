/**
 * The Events API v2 as PagerDuty documents it (developer.pagerduty.com, Events API v2 overview and the
 * `/v2/enqueue` schema): field rules answered with 400 `{status, message, errors[]}`, and alert state per
 * routing key and dedup key.
 */

export const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const MAX_EVENT_BYTES = 512 * 1024;

/** One alert PagerDuty holds: opened by a trigger, changed by acknowledge and resolve. */
export interface FakeAlert {
  readonly routingKey: string;
  readonly dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** The trigger that opened it. */
  readonly trigger: Record<string, unknown>;
  /** Triggers that arrived while it was open (deduplicated into it: nobody is paged again). */
  deduplicated: number;
  readonly log: { action: string; at: number }[];
}

export type EventAnswer = { status: number; body: Record<string, unknown> };

const invalid = (errors: string[]): EventAnswer => ({
  status: 400,
  body: { status: 'invalid event', message: 'Event object is invalid', errors },
});

function problems(e: Record<string, unknown>, knownKeys: ReadonlySet<string>): string[] {
  const errors: string[] = [];
  const rk = e.routing_key;
  if (typeof rk !== 'string' || rk.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!knownKeys.has(rk)) errors.push("'routing_key' is not the key of an Events API v2 integration");
  const action = e.event_action;
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve')
    errors.push("'event_action' is invalid (must be one of trigger, acknowledge, resolve)");
  const dedup = e.dedup_key;
  if (dedup !== undefined && (typeof dedup !== 'string' || dedup.length > 255))
    errors.push("'dedup_key' is too long (should be 255 characters or less)");
  if ((action === 'acknowledge' || action === 'resolve') && (typeof dedup !== 'string' || !dedup.trim()))
    errors.push("'dedup_key' is missing or blank");
  if (action === 'trigger') {
    const p = e.payload as Record<string, unknown> | undefined;
    if (!p || typeof p !== 'object') errors.push("'payload' is missing or blank");
    else {
      if (typeof p.summary !== 'string' || !p.summary.trim()) errors.push("'payload.summary' is missing or blank");
      else if (p.summary.length > 1024)
        errors.push("Length of 'payload.summary' is incorrect (should be 1024 characters or less)");
      if (typeof p.source !== 'string' || !p.source.trim()) errors.push("'payload.source' is missing or blank");
      if (!SEVERITIES.includes(p.severity as string))
        errors.push("'payload.severity' is invalid (must be one of critical, error, warning, info)");
      if (p.timestamp !== undefined && Number.isNaN(Date.parse(String(p.timestamp))))
        errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
      if (p.custom_details !== undefined && (typeof p.custom_details !== 'object' || p.custom_details === null))
        errors.push("'payload.custom_details' must be an object");
    }
    const links = e.links;
    if (links !== undefined && (!Array.isArray(links) || links.some((l) => typeof l?.href !== 'string')))
      errors.push("'links' must be a list of objects with an 'href'");
    const images = e.images;
    if (images !== undefined && (!Array.isArray(images) || images.some((i) => !/^https:\/\//.test(String(i?.src)))))
      errors.push("'images' must be a list of objects with an HTTPS 'src'");
  }
  return errors;
}

/** PagerDuty's alert state for the Events API, keyed by routing key and dedup key. */
export class FakeEvents {
  readonly alerts: FakeAlert[] = [];
  /** Every event accepted (202), in order. */
  readonly accepted: Record<string, unknown>[] = [];
  private seq = 0;

  constructor(readonly routingKeys: Set<string>) {}

  /** The open alert for a key, if any. */
  open(routingKey: string, dedupKey: string): FakeAlert | undefined {
    return this.alerts.find((a) => a.routingKey === routingKey && a.dedupKey === dedupKey && a.status !== 'resolved');
  }

  /** Alerts ever opened for a dedup key (one per trigger that found none open). */
  opened(dedupKey: string): FakeAlert[] {
    return this.alerts.filter((a) => a.dedupKey === dedupKey);
  }

  enqueue(raw: string): EventAnswer {
    if (Buffer.byteLength(raw) > MAX_EVENT_BYTES) return invalid(['Event is larger than 512 KB']);
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return invalid(['Event is not valid JSON']);
    }
    if (!e || typeof e !== 'object' || Array.isArray(e)) return invalid(['Event must be a JSON object']);
    const errors = problems(e, this.routingKeys);
    if (errors.length) return invalid(errors);
    const routingKey = e.routing_key as string;
    const dedupKey = (e.dedup_key as string | undefined) ?? `fake-${++this.seq}`;
    const open = this.open(routingKey, dedupKey);
    const at = Date.now();
    if (e.event_action === 'trigger') {
      if (open) {
        open.deduplicated += 1;
        open.log.push({ action: 'trigger', at });
      } else
        this.alerts.push({
          routingKey,
          dedupKey,
          status: 'triggered',
          trigger: e,
          deduplicated: 0,
          log: [{ action: 'trigger', at }],
        });
    } else if (open) {
      // Acknowledge and resolve change only an open alert; for any other key they are accepted and do nothing.
      open.status = e.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      open.log.push({ action: e.event_action as string, at });
    }
    this.accepted.push(e);
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }
}
