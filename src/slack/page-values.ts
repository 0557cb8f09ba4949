import { z } from 'zod';
import { INCIDENT_ID } from '../incident/incident.js';
import type { TimelineStart } from '../incident/record-service.js';

/** Action IDs of the page buttons; each message has at most one of each. */
export const PAGE_ACTIONS = {
  timelinePrevious: 'timeline_previous',
  timelineNext: 'timeline_next',
  followupsNext: 'followups_next',
  listNext: 'list_next',
} as const;

const count = z.number().int().min(0);
const entryId = z.number().int().min(1);

/** Where a timeline button leads: the incident, the page it becomes, and the edge entry it continues from. */
export const timelineValue = z.union([
  z.strictObject({ i: z.string().regex(INCIDENT_ID), p: z.number().int().min(1), a: entryId }),
  z.strictObject({ i: z.string().regex(INCIDENT_ID), p: z.number().int().min(1), b: entryId }),
]);
/** The next page of follow-ups: after follow-up `a`, with `n` shown before. */
export const followupsValue = z.strictObject({ i: z.string().regex(INCIDENT_ID), a: entryId, n: count });
/** The next page of open incidents: after incident `a`, with `n` shown before. */
export const listValue = z.strictObject({ a: z.string().regex(INCIDENT_ID), n: count });

export type TimelineValue = z.infer<typeof timelineValue>;

/** A timeline button's value as the record service's starting point. */
export function timelineStart(v: TimelineValue): TimelineStart {
  return 'a' in v ? { page: v.p, afterId: v.a } : { page: v.p, beforeId: v.b };
}

/** Compact JSON: a button value holds at most 2,000 characters. */
export const encode = (value: object) => JSON.stringify(value);
