import { describe, expect, it } from '@jest/globals';
import type { AlertGroup, GroupInput } from '../../src/alerts/alert-group.js';
import { place } from '../../src/alerts/placement.js';
import { applyDelivery, prefillOf } from '../../src/alerts/rules.js';
import { parseAlertmanagerBody } from '../../src/http/alertmanager-body.js';
import type { AlertsPolicy } from '../../src/incident/paging-policy.js';

const policy: AlertsPolicy = {
  severityLabel: 'severity',
  levels: { critical: 'P1', Warning: 'P3' },
  autoDeclare: ['P1'],
};
const LEVELS = ['P0', 'P1', 'P2', 'P3'];

function input(alerts: [string, 'firing' | 'resolved', string][], status?: 'firing' | 'resolved'): GroupInput {
  return {
    groupKey: '{}:{alertname="Api"}',
    status: status ?? (alerts.some(([, s]) => s === 'firing') ? 'firing' : 'resolved'),
    receiver: 'firebreak',
    groupLabels: { alertname: 'Api' },
    commonLabels: { alertname: 'Api' },
    commonAnnotations: {},
    externalURL: null,
    truncatedAlerts: 0,
    alerts: alerts.map(([fp, s, severity]) => ({
      fingerprint: fp,
      status: s,
      labels: { alertname: 'Api', pod: fp, severity, zone: 'eu' },
      annotations: { summary: `${fp} is down` },
      startsAt: '2026-11-22T14:00:00Z',
      endsAt: null,
      generatorURL: null,
    })),
  };
}

/** `value` with every object's keys in reverse order, as Postgres may hand JSON back in an order of its own. */
function reordered<T>(value: T): T {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  ) as T;
}

/** A group as stored after `change`, with what the store adds. */
function stored(change: ReturnType<typeof applyDelivery>, extra: Partial<AlertGroup> = {}): AlertGroup {
  return {
    id: 1,
    groupKey: '{}:{alertname="Api"}',
    episode: 1,
    receiver: 'firebreak',
    status: change.status,
    level: change.level,
    title: change.title,
    commonLabels: change.commonLabels,
    alerts: reordered(change.alerts),
    truncated: change.truncated,
    externalUrl: null,
    firstSeen: new Date(),
    lastSeen: new Date(),
    incidentId: null,
    incidentResolved: false,
    declareWanted: change.declare,
    placement: 'card',
    digestId: null,
    cardChannel: 'C0INCIDENTS',
    cardTs: '1.000001',
    version: 2,
    attempts: 0,
    unsure: false,
    ...extra,
  };
}

describe('merging an Alertmanager delivery into its group', () => {
  it('takes the most severe level any firing alert maps to, and asks for a declaration at an autoDeclare level', () => {
    const first = applyDelivery(
      undefined,
      input([
        ['a', 'firing', 'warning'],
        ['b', 'firing', 'critical'],
      ]),
      policy,
      LEVELS,
    );
    expect(first).toMatchObject({ status: 'firing', level: 'P1', title: 'Api', changed: true, declare: true });
    expect(first.commonLabels).toEqual({ alertname: 'Api', zone: 'eu' });
    const warning = applyDelivery(undefined, input([['a', 'firing', 'warning']]), policy, LEVELS);
    expect(warning).toMatchObject({ level: 'P3', declare: false });
  });

  it('changes nothing when the same group comes again (Alertmanager repeats), whatever order its JSON comes back in', () => {
    const delivery = input([
      ['a', 'firing', 'warning'],
      ['b', 'firing', 'warning'],
    ]);
    const again = applyDelivery(stored(applyDelivery(undefined, delivery, policy, LEVELS)), delivery, policy, LEVELS);
    expect(again.changed).toBe(false);
    expect(again.timeline).toEqual([]);
  });

  it('resolves every alert of a resolved group, and puts each change on a tied incident’s timeline', () => {
    const firing = stored(
      applyDelivery(
        undefined,
        input([
          ['a', 'firing', 'critical'],
          ['b', 'firing', 'critical'],
        ]),
        policy,
        LEVELS,
      ),
      {
        incidentId: 'INC-2026-1122-001',
      },
    );
    const one = applyDelivery(
      firing,
      input([
        ['a', 'resolved', 'critical'],
        ['b', 'firing', 'critical'],
      ]),
      policy,
      LEVELS,
    );
    expect(one).toMatchObject({ status: 'firing', changed: true, declare: false });
    expect(one.timeline.map((e) => e.text)).toEqual(['Alert resolved: Api (pod=a)']);
    const all = applyDelivery(stored(one, { incidentId: 'INC-2026-1122-001' }), input([], 'resolved'), policy, LEVELS);
    expect(all.status).toBe('resolved');
    expect(Object.values(all.alerts).map((a) => a.status)).toEqual(['resolved', 'resolved']);
    expect(all.timeline.map((e) => e.text)).toEqual([
      'Alert resolved: Api (pod=b)',
      'Every alert of the group is resolved',
    ]);
  });

  it('starts a new episode when a group that ended fires again after its incident was resolved', () => {
    const ended = stored(applyDelivery(undefined, input([['a', 'resolved', 'critical']]), policy, LEVELS), {
      incidentId: 'INC-2026-1122-001',
      incidentResolved: true,
    });
    const back = applyDelivery(ended, input([['c', 'firing', 'critical']]), policy, LEVELS);
    expect(back).toMatchObject({ newEpisode: true, declare: true, changed: true });
    expect(Object.keys(back.alerts)).toEqual(['c']);
    const stillOpen = applyDelivery(
      { ...ended, incidentResolved: false },
      input([['c', 'firing', 'critical']]),
      policy,
      LEVELS,
    );
    expect(stillOpen).toMatchObject({ newEpisode: false, declare: false });
    expect(stillOpen.timeline.map((e) => e.text)).toEqual(['New alert firing: Api (pod=c)']);
  });

  it('prefills the declare form without angle brackets, which the form refuses as mentions', () => {
    const group = stored(applyDelivery(undefined, input([['a', 'firing', 'critical']]), policy, LEVELS), {
      title: 'Api <!channel>',
      commonLabels: { service: 'checkout' },
    });
    expect(prefillOf(group)).toEqual({
      severity: 'P1',
      title: 'Api !channel',
      impact: 'a is down',
      services: ['checkout'],
    });
  });
});

describe('cards or the digest', () => {
  it('gives cards while the channel has room, then folds the rest of the storm into the digest', () => {
    expect(place(7, { recentCards: 0, digestOpen: false })).toEqual([
      'card',
      'card',
      'card',
      'card',
      'card',
      'digest',
      'digest',
    ]);
    expect(place(2, { recentCards: 4, digestOpen: false })).toEqual(['card', 'digest']);
    expect(place(2, { recentCards: 0, digestOpen: true })).toEqual(['digest', 'digest']);
  });
});

describe("Alertmanager's webhook body", () => {
  const body = {
    version: '4',
    groupKey: '{}:{alertname="Api"}',
    status: 'firing',
    receiver: 'firebreak',
    groupLabels: { alertname: 'Api' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am:9093',
    truncatedAlerts: 0,
    notification_reason: 'new',
    routeLabels: { team: 'a' },
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'Api' },
        annotations: {},
        startsAt: '2026-11-22T14:00:00Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: '0123456789abcdef',
      },
    ],
  };

  it('reads version 4, ignores fields it does not use, and takes the zero time as still firing', () => {
    const parsed = parseAlertmanagerBody(body);
    expect(parsed).toMatchObject({ groupKey: body.groupKey, externalURL: 'http://am:9093' });
    expect(typeof parsed !== 'string' && parsed.alerts[0]).toMatchObject({ endsAt: null, generatorURL: null });
  });

  it('says what is wrong with a body that will never be valid', () => {
    expect(parseAlertmanagerBody({ ...body, version: '5' })).toContain('version "5" is not one Firebreak reads');
    expect(parseAlertmanagerBody({ ...body, alerts: [{ ...body.alerts[0], fingerprint: undefined }] })).toMatch(
      /^alerts\.0\.fingerprint: /,
    );
    expect(parseAlertmanagerBody([])).toMatch(/^the body: /);
  });
});
