import { describe, expect, it } from '@jest/globals';
import { createPageRules, dedupKeyOf, pageEvent } from '../../src/incident/page-rules.js';
import { pagerDutyPolicyOf } from '../../src/incident/paging-policy.js';
import { DEFAULT_POLICY, severityOf } from '../../src/incident/policy.js';
import { anIncident } from '../support/incident-fixture.js';

const pd = pagerDutyPolicyOf(['P0', 'P1', 'P2', 'P3', 'P4'], {
  escalationPolicies: ['PEP0001'],
  services: { payments: { id: 'PSVC001', routingKey: 'p'.repeat(32) }, ledger: { id: 'PSVC002' } },
  severity: { P3: 'info' },
  resolveWithPagerDuty: false,
});
const P0 = severityOf(DEFAULT_POLICY, 'P0');
const P1 = severityOf(DEFAULT_POLICY, 'P1');
const P2 = severityOf(DEFAULT_POLICY, 'P2');

describe('the page PagerDuty gets', () => {
  it('maps levels to severities: critical for the two most severe, then error, warning, info, unless the policy says', () => {
    expect(pd.severity).toEqual({ P0: 'critical', P1: 'critical', P2: 'error', P3: 'info', P4: 'info' });
    expect(pagerDutyPolicyOf(['A', 'B', 'C', 'D', 'E'], undefined).severity).toEqual({
      A: 'critical',
      B: 'critical',
      C: 'error',
      D: 'warning',
      E: 'info',
    });
  });

  it('summarises the incident within 1024 characters, with an ellipsis when cut, and carries its details and links', () => {
    const incident = anIncident({ title: 'x'.repeat(1_100), services: ['checkout'], roles: { ic: 'U0IC000001' } });
    const event = pageEvent(
      incident,
      pd,
      { routingKey: 'k'.repeat(32), action: 'trigger', dedupKey: incident.id, icName: 'Ines' },
      { warRoom: { url: 'https://slack.com/app_redirect?channel=C0ROOM0001', name: 'inc-1' }, card: 'https://x/p1' },
    );
    const payload = event.payload!;
    expect(payload.summary).toHaveLength(1024);
    expect(payload.summary.endsWith('…')).toBe(true);
    expect(payload.summary.startsWith('[P1] INC-2026-1122-001: xxx')).toBe(true);
    expect(payload).toMatchObject({ source: 'firebreak', severity: 'critical', component: 'checkout' });
    expect(payload.customDetails).toEqual({
      id: incident.id,
      level: 'P1',
      status: 'investigating',
      ic: 'Ines',
      war_room: '#inc-1',
      services: 'checkout',
    });
    expect(event.links).toEqual([
      { href: 'https://slack.com/app_redirect?channel=C0ROOM0001', text: 'War room #inc-1' },
      { href: 'https://x/p1', text: `${incident.id} summary card` },
    ]);
  });

  it('sends only the routing and dedup keys to acknowledge and resolve', () => {
    const event = pageEvent(anIncident(), pd, { routingKey: 'k'.repeat(32), action: 'resolve', dedupKey: 'INC-1' });
    expect(event).toEqual({ routingKey: 'k'.repeat(32), action: 'resolve', dedupKey: 'INC-1' });
  });

  it('dedups on the incident ID (per person for people), never longer than 255 characters', () => {
    expect(dedupKeyOf('INC-2026-1122-001', { kind: 'default' })).toBe('INC-2026-1122-001');
    expect(dedupKeyOf('INC-2026-1122-001', { kind: 'service', name: 'payments' })).toBe('INC-2026-1122-001');
    expect(dedupKeyOf('INC-2026-1122-001', { kind: 'user', userId: 'U0ALEX0001' })).toBe(
      'INC-2026-1122-001/U0ALEX0001',
    );
  });
});

describe('which changes page', () => {
  const rules = createPageRules({ policy: pd, events: true, rest: true, writes: true });

  it('declaring a paging level pages the default integration, or the affected services with keys of their own', () => {
    expect(rules.onDeclare(P1, { drill: false, services: [] })).toEqual([
      { kind: 'page', action: 'trigger', target: { kind: 'default' } },
      { kind: 'oncall' },
    ]);
    expect(rules.onDeclare(P1, { drill: false, services: ['Payments', 'ledger', 'payments'] })).toEqual([
      { kind: 'page', action: 'trigger', target: { kind: 'service', name: 'payments' } },
      { kind: 'oncall' },
    ]);
  });

  it('never pages a drill or a level without page, and invites the on-call only into war rooms', () => {
    expect(rules.onDeclare(P1, { drill: true, services: [] })).toEqual([]);
    expect(rules.onDeclare(P2, { drill: false, services: [] })).toEqual([]);
  });

  it('a raise into a paging level pages; a move between paging levels does not page again', () => {
    const quiet = anIncident({ severity: 'P2' });
    expect(rules.onSeverity(P2, P1, quiet)).toEqual([
      { kind: 'page', action: 'trigger', target: { kind: 'default' } },
      { kind: 'oncall' },
    ]);
    expect(rules.onSeverity(P1, P0, anIncident({ channelId: 'C0ROOM0001' }))).toEqual([]);
  });

  it('follows up acknowledgements and resolutions only when PagerDuty is configured', () => {
    expect(rules.onAck()).toEqual([{ kind: 'page', action: 'acknowledge' }]);
    expect(rules.onResolve()).toEqual([{ kind: 'page', action: 'resolve' }]);
    const none = createPageRules(undefined);
    expect([...none.onAck(), ...none.onResolve(), ...none.onDeclare(P1, { drill: false, services: [] })]).toEqual([]);
  });
});
