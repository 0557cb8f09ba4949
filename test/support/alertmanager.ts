import { createHash } from 'node:crypto';

/** An alert as Alertmanager's webhook sends it (notify/webhook, template.Alert); a firing one ends at the zero time. */
export function amAlert(
  name: string,
  status: 'firing' | 'resolved',
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
  generatorURL = 'http://prometheus.example:9090/graph?g0.expr=up%3D%3D0&g0.tab=1',
) {
  const all = { alertname: name, ...labels };
  return {
    status,
    labels: all,
    annotations,
    startsAt: '2026-11-22T14:00:00.000Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
    generatorURL,
    fingerprint: createHash('sha256').update(JSON.stringify(all)).digest('hex').slice(0, 16),
  };
}

/** A webhook body (version 4) for a group, with the group and common labels Alertmanager would compute. */
export function amGroup(
  groupLabels: Record<string, string>,
  alerts: ReturnType<typeof amAlert>[],
  extra: Record<string, unknown> = {},
) {
  const common = Object.fromEntries(
    Object.entries(alerts[0]?.labels ?? {}).filter(([k, v]) =>
      alerts.every((a) => a.labels[k as keyof typeof a.labels] === v),
    ),
  );
  const key = `{}:{${Object.entries(groupLabels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}}`;
  return {
    receiver: 'firebreak',
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels,
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: key,
    truncatedAlerts: 0,
    ...extra,
  };
}

/** POSTs a body to the bot's Alertmanager webhook as Alertmanager does, with the bearer token unless told otherwise. */
export async function postAlerts(
  botUrl: string,
  body: unknown,
  authorization: string | undefined,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${botUrl}/webhooks/alertmanager`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Alertmanager/0.28.1',
      ...(authorization && { authorization }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}
