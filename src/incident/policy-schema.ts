/** The policy file's shape (zod): durations parsed once, Slack IDs and levels checked, defaults filled in. */
import { z } from 'zod';
import { durationMs } from './duration.js';
import { alertsSchema, pagerDutySchema } from './paging-policy.js';
import type { CapturePolicy } from './policy.js';

/** Capture by the pushpin emoji, and the scribe's messages. */
export const DEFAULT_CAPTURE: CapturePolicy = { emoji: 'pushpin', scribeMessages: true };

const DEFAULT_RETENTION = {
  idempotencyKeys: '7d',
  finishedEffects: '30d',
  jobRecords: '30d',
  pages: '30d',
  alertGroups: '30d',
  every: '1h',
} as const;

const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

const duration = durationMs('is not a duration; write it like 30s, 15m or 1h');

const kept = duration.refine((ms) => ms >= 3_600_000, {
  message: 'is too short: keep it at least 1h, so repeated deliveries and retries still find what they need',
});

const slackIds = z.array(
  z.string().regex(SLACK_ID, 'is not a Slack user (U…) or user group (S…) ID; copy it from the profile or group page'),
);

const severitySchema = z.strictObject({
  description: z.string().min(1, 'needs a description'),
  warRoom: z.boolean().default(false),
  updateEvery: duration.prefault('1h'),
  page: z.boolean().default(false),
  responders: slackIds.default([]),
  escalation: z
    .array(z.strictObject({ after: duration, notify: slackIds.min(1, 'needs at least one user or group') }))
    .default([]),
});

/** The retention section: what is deleted after how long (never incidents), each at least an hour. */
export const retentionSchema = z
  .strictObject({
    idempotencyKeys: kept.prefault(DEFAULT_RETENTION.idempotencyKeys),
    finishedEffects: kept.prefault(DEFAULT_RETENTION.finishedEffects),
    jobRecords: kept.prefault(DEFAULT_RETENTION.jobRecords),
    pages: kept.prefault(DEFAULT_RETENTION.pages),
    alertGroups: kept.prefault(DEFAULT_RETENTION.alertGroups),
    every: duration.prefault(DEFAULT_RETENTION.every),
    incidents: z
      .literal('keep', {
        message: 'can only be keep: incidents and their timelines are the record, and Firebreak never deletes them',
      })
      .default('keep'),
  })
  .prefault({});

/** The policy file as written, checked field by field; `parsePolicy` adds the checks across sections. */
export const policySchema = z.strictObject({
  approvers: slackIds.default([]),
  retention: retentionSchema,
  approvals: z.strictObject({ requireApprover: z.boolean().default(false) }).default({ requireApprover: false }),
  capture: z
    .strictObject({
      emoji: z
        .string()
        .regex(/^:?[a-z0-9_+'-]+:?$/, 'is not an emoji name; write it like pushpin or :memo:')
        .default(DEFAULT_CAPTURE.emoji),
      scribeMessages: z.boolean().default(DEFAULT_CAPTURE.scribeMessages),
    })
    .default(DEFAULT_CAPTURE),
  severities: z
    .record(z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'level names are 1-16 letters, digits, - or _'), severitySchema)
    .refine((r) => Object.keys(r).length > 0, { message: 'needs at least one severity level' }),
  pagerduty: pagerDutySchema,
  alerts: alertsSchema,
});
