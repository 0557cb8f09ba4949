import { MAX_TITLE_LENGTH } from '../incident/command.js';
import { clampText } from '../incident/incident.js';
import type { AlertsPolicy } from '../incident/paging-policy.js';
import { withoutControl } from '../incident/text.js';
import type { AlertGroup, AlertInput, AlertStatus, GroupInput, StoredAlert } from './alert-group.js';

/** What a delivery makes of a group: its new state, and what follows from the change. */
export interface GroupChange
  extends Pick<AlertGroup, 'status' | 'level' | 'title' | 'commonLabels' | 'alerts' | 'truncated' | 'externalUrl'> {
  /** The group had ended (and its incident, if any, was resolved): this firing starts a new card and incident. */
  readonly newEpisode: boolean;
  /** Something the card shows changed; a repeat delivery changes nothing. */
  readonly changed: boolean;
  /** The group is at a level the policy declares at once, and has no incident yet. */
  readonly declare: boolean;
  /** Entries for the tied incident's timeline (plain text). */
  readonly timeline: readonly { kind: string; text: string; data: Record<string, unknown> }[];
}

/** Bounds on what one alert keeps: data from outside is stored cut to size. */
const LIMITS = { labels: 40, annotations: 20, key: 100, value: 1_000, annotation: 4_000, url: 2_000 };
const TIMELINE_MAX = 20;

function bounded(record: Readonly<Record<string, string>>, count: number, max: number): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record)
      .slice(0, count)
      .map(([k, v]) => [clampText(k, LIMITS.key), clampText(String(v), max)]),
  );
}

function storedOf(a: AlertInput, status: AlertStatus): StoredAlert {
  return {
    status,
    labels: bounded(a.labels, LIMITS.labels, LIMITS.value),
    annotations: bounded(a.annotations, LIMITS.annotations, LIMITS.annotation),
    startsAt: a.startsAt,
    endsAt: status === 'resolved' ? a.endsAt : null,
    generatorURL: a.generatorURL && a.generatorURL.length <= LIMITS.url ? a.generatorURL : null,
  };
}

/** The level of a set of alerts: the most severe level any firing alert's severity label maps to. */
export function levelOf(
  alerts: readonly StoredAlert[],
  common: Readonly<Record<string, string>>,
  policy: AlertsPolicy,
  levels: readonly string[],
): string | null {
  const lower = new Map(Object.entries(policy.levels).map(([k, v]) => [k.toLowerCase(), v]));
  let best: number | undefined;
  for (const a of alerts) {
    if (a.status !== 'firing') continue;
    const value = a.labels[policy.severityLabel] ?? common[policy.severityLabel];
    const level = value === undefined ? undefined : (policy.levels[value] ?? lower.get(value.toLowerCase()));
    const rank = level === undefined ? -1 : levels.indexOf(level);
    if (rank >= 0 && (best === undefined || rank < best)) best = rank;
  }
  return best === undefined ? null : levels[best]!;
}

/** A group's title: its alert name and the labels it is grouped by. */
export function titleOf(input: Pick<GroupInput, 'groupLabels' | 'commonLabels' | 'alerts'>): string {
  const name =
    input.groupLabels.alertname ?? input.commonLabels.alertname ?? input.alerts[0]?.labels.alertname ?? 'Alert group';
  const others = Object.entries(input.groupLabels)
    .filter(([k]) => k !== 'alertname')
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return clampText(others ? `${name} (${others})` : name, MAX_TITLE_LENGTH);
}

/** An alert in words for a timeline: its name and the labels that tell it from the rest of its group. */
export function describeAlert(alert: StoredAlert, common: Readonly<Record<string, string>>): string {
  const own = Object.entries(alert.labels)
    .filter(([k, v]) => k !== 'alertname' && common[k] !== v)
    .slice(0, 3)
    .map(([k, v]) => `${k}=${clampText(v, 60)}`)
    .join(', ');
  return `${alert.labels.alertname ?? 'alert'}${own ? ` (${own})` : ''}`;
}

/** Key order does not count: Postgres keeps JSON objects with their keys sorted its own way. */
const sorted = (r: Readonly<Record<string, string>>) => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1));
const visible = (a: StoredAlert) => JSON.stringify([a.status, sorted(a.labels), sorted(a.annotations), a.generatorURL]);

/** The labels every one of the alerts has, with the same value: what the group's alerts have in common. */
export function commonOf(alerts: readonly StoredAlert[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first.labels).filter(([k, v]) => rest.every((a) => a.labels[k] === v)));
}

/**
 * Merges a delivery into a group. Alerts are kept by fingerprint, so a
 * repeated delivery (Alertmanager re-sends every group interval) changes
 * nothing; a resolved group resolves every alert it had.
 */
export function applyDelivery(
  current: AlertGroup | undefined,
  input: GroupInput,
  policy: AlertsPolicy,
  levels: readonly string[],
): GroupChange {
  const firingNow = input.status === 'firing' && input.alerts.some((a) => a.status === 'firing');
  const ended = current?.status === 'resolved' && (!current.incidentId || current.incidentResolved);
  const newEpisode = !!current && ended && firingNow;
  const before: Readonly<Record<string, StoredAlert>> = current && !newEpisode ? current.alerts : {};
  const alerts: Record<string, StoredAlert> = { ...before };
  const transitions: { fp: string; to: AlertStatus; fresh: boolean }[] = [];
  for (const a of input.alerts) {
    const status = input.status === 'resolved' ? 'resolved' : a.status;
    const prior = alerts[a.fingerprint];
    alerts[a.fingerprint] = storedOf(a, status);
    if (!prior || prior.status !== status) transitions.push({ fp: a.fingerprint, to: status, fresh: !prior });
  }
  if (input.status === 'resolved')
    for (const [fp, a] of Object.entries(alerts))
      if (a.status === 'firing') {
        alerts[fp] = { ...a, status: 'resolved' };
        transitions.push({ fp, to: 'resolved', fresh: false });
      }
  const all = Object.values(alerts);
  // Over every alert the group has had, not only this delivery's: the labels that tell its alerts apart stay shown.
  const common = all.length ? commonOf(all) : bounded(input.commonLabels, LIMITS.labels, LIMITS.value);
  const status: AlertStatus = all.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  const level = levelOf(all, common, policy, levels) ?? current?.level ?? null;
  const title = titleOf(input);
  const changed =
    !current ||
    newEpisode ||
    status !== current.status ||
    level !== current.level ||
    title !== current.title ||
    JSON.stringify(sorted(common)) !== JSON.stringify(sorted(current.commonLabels)) ||
    input.truncatedAlerts !== current.truncated ||
    all.length !== Object.keys(before).length ||
    Object.entries(alerts).some(([fp, a]) => !before[fp] || visible(before[fp]!) !== visible(a));
  const tied = !!current?.incidentId && !newEpisode;
  const declare = status === 'firing' && !!level && policy.autoDeclare.includes(level) && !tied;
  return {
    newEpisode,
    status,
    level,
    title,
    commonLabels: common,
    alerts,
    truncated: input.truncatedAlerts,
    externalUrl: input.externalURL,
    changed,
    declare,
    timeline: tied ? timelineOf(transitions, alerts, common, status !== current!.status && status === 'resolved') : [],
  };
}

function timelineOf(
  transitions: readonly { fp: string; to: AlertStatus; fresh: boolean }[],
  alerts: Readonly<Record<string, StoredAlert>>,
  common: Readonly<Record<string, string>>,
  allResolved: boolean,
): GroupChange['timeline'] {
  const entries: { kind: string; text: string; data: Record<string, unknown> }[] = transitions
    .slice(0, TIMELINE_MAX)
    .map(({ fp, to, fresh }) => {
      const what = describeAlert(alerts[fp]!, common);
      const text =
        to === 'resolved' ? `Alert resolved: ${what}` : `${fresh ? 'New alert firing' : 'Alert firing again'}: ${what}`;
      return { kind: to === 'resolved' ? 'alert_resolved' : 'alert_firing', text, data: { fingerprint: fp } };
    });
  if (transitions.length > TIMELINE_MAX)
    entries.push({
      kind: 'alert_changes',
      text: `…and ${transitions.length - TIMELINE_MAX} more alert changes`,
      data: { fingerprint: null },
    });
  if (allResolved)
    entries.push({
      kind: 'alerts_resolved',
      text: 'Every alert of the group is resolved',
      data: { fingerprint: null },
    });
  return entries;
}

/** What the declare modal is prefilled with for a group (the person can change all of it). */
export function prefillOf(group: AlertGroup): {
  severity: string | null;
  title: string;
  impact: string | null;
  services: string[];
} {
  const firing = Object.values(group.alerts).filter((a) => a.status === 'firing');
  const first = firing[0] ?? Object.values(group.alerts)[0];
  const summary = first?.annotations.summary ?? first?.annotations.description ?? null;
  const services = [group.commonLabels.service, group.commonLabels.job, group.commonLabels.app].filter(
    (s): s is string => !!s,
  );
  // Angle brackets would read as mentions to the declare form, which refuses them.
  const plain = (s: string) => withoutControl(s).replace(/[<>]/g, '');
  return {
    severity: group.level,
    title: clampText(plain(group.title), MAX_TITLE_LENGTH),
    impact: summary ? clampText(plain(summary), 2_000) : null,
    services: [...new Set(services.map(plain))].slice(0, 3),
  };
}
