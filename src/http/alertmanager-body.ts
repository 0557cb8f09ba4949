import { z } from 'zod';
import type { GroupInput } from '../alerts/alert-group.js';

const labels = z.record(z.string(), z.string());
const ZERO_TIME = /^0001-01-01T00:00:00/;

const alert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(128),
});

const body = z.looseObject({
  version: z.string(),
  groupKey: z.string().min(1).max(4_000),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200).default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(alert).max(10_000),
});

/**
 * Reads Alertmanager's webhook body (version 4). Unknown fields are ignored;
 * a string says what is wrong with a body that will never be valid.
 */
export function parseAlertmanagerBody(json: unknown): GroupInput | string {
  const version = (json as { version?: unknown } | null)?.version;
  if (typeof version === 'string' && version !== '4')
    return `version "${version.slice(0, 20)}" is not one Firebreak reads: it reads Alertmanager webhook version "4"`;
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.') || 'the body'}: ${issue.message} (an Alertmanager webhook_config sends this without a custom payload template)`;
  }
  const b = parsed.data;
  return {
    groupKey: b.groupKey,
    status: b.status,
    receiver: b.receiver,
    groupLabels: b.groupLabels,
    commonLabels: b.commonLabels,
    commonAnnotations: b.commonAnnotations,
    externalURL: b.externalURL || null,
    truncatedAlerts: b.truncatedAlerts,
    alerts: b.alerts.map((a) => ({
      fingerprint: a.fingerprint,
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt && !ZERO_TIME.test(a.endsAt) ? a.endsAt : null,
      generatorURL: a.generatorURL || null,
    })),
  };
}
