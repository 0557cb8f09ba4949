import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import type { ConfigError } from '../../src/errors.js';
import { SHIPPED_DIAG_ENV } from '../support/diag-env.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'shh-secret',
  DATABASE_URL: 'postgres://u:pw@db/fb',
  REDIS_URL: 'redis://r:6379',
  ...SHIPPED_DIAG_ENV,
};
const pagerduty = {
  PAGERDUTY_TOKEN: 'u+restKeyRestKey0001',
  PAGERDUTY_FROM: 'oncall-bot@example.com',
  PAGERDUTY_ROUTING_KEY: 'r'.repeat(32),
  PAGERDUTY_WEBHOOK_SECRET: 'old-secret-1, new-secret-2',
};

function problems(env: Record<string, string>, policy?: string): string[] {
  try {
    loadConfig(policy ? { ...env, INCIDENT_POLICY: 'policy.yaml' } : env, (p) =>
      p === 'policy.yaml' ? policy! : readFileSync(p, 'utf8'),
    );
    return [];
  } catch (err) {
    return [...(err as ConfigError).problems];
  }
}

const withPolicy = (env: Record<string, string>, policy: string) =>
  loadConfig({ ...env, INCIDENT_POLICY: 'policy.yaml' }, (p) =>
    p === 'policy.yaml' ? policy : readFileSync(p, 'utf8'),
  );

describe('PagerDuty settings', () => {
  it('boots without PagerDuty, its built-in policy paging no one; with PagerDuty, that policy pages P0 and P1', () => {
    const bare = loadConfig(good);
    expect(bare.pagerduty).toBeUndefined();
    expect(bare.policy.severities.filter((s) => s.page)).toEqual([]);
    const paged = loadConfig({ ...good, ...pagerduty });
    expect(paged.policy.severities.filter((s) => s.page).map((s) => s.level)).toEqual(['P0', 'P1']);
    expect(paged.pagerduty).toEqual({
      token: pagerduty.PAGERDUTY_TOKEN,
      from: pagerduty.PAGERDUTY_FROM,
      routingKey: pagerduty.PAGERDUTY_ROUTING_KEY,
      webhookSecrets: ['old-secret-1', 'new-secret-2'],
      apiUrl: 'https://api.pagerduty.com',
      eventsUrl: 'https://events.pagerduty.com',
    });
    expect(paged.secrets).toEqual(
      expect.arrayContaining([
        pagerduty.PAGERDUTY_TOKEN,
        pagerduty.PAGERDUTY_ROUTING_KEY,
        'old-secret-1',
        'new-secret-2',
      ]),
    );
  });

  it('takes http:// and the EU hosts for both URLs', () => {
    const c = loadConfig({
      ...good,
      ...pagerduty,
      PAGERDUTY_API_URL: 'https://api.eu.pagerduty.com/',
      PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:8080',
    });
    expect(c.pagerduty).toMatchObject({ apiUrl: 'https://api.eu.pagerduty.com', eventsUrl: 'http://127.0.0.1:8080' });
  });

  it('lists every mistake at once, saying what to do', () => {
    const found = problems({
      ...good,
      PAGERDUTY_FROM: 'not-an-email',
      PAGERDUTY_ROUTING_KEY: 'too-short',
      PAGERDUTY_API_URL: 'ftp://api.pagerduty.com',
      ALERTMANAGER_TOKEN: 'short',
    });
    expect(found).toEqual([
      expect.stringContaining('PAGERDUTY_ROUTING_KEY must be 32 characters (it has 9)'),
      expect.stringContaining('PAGERDUTY_FROM must be the email of a PagerDuty user'),
      expect.stringContaining('PAGERDUTY_API_URL is not a URL'),
      expect.stringContaining('ALERTMANAGER_TOKEN must be at least 16 characters'),
    ]);
    // A REST key alone is enough for on-call look-ups; writes (pages through the REST API) also need From.
    expect(problems({ ...good, PAGERDUTY_TOKEN: 'u+readOnlyKey0000001' })).toEqual([]);
  });
});

describe("the policy's paging and alerts sections", () => {
  const levels = `severities:
  P1:
    description: Major
    page: true
  P2:
    description: Minor
`;

  it('refuses page: true without PagerDuty, naming the file and line', () => {
    expect(problems(good, levels)).toEqual([
      'INCIDENT_POLICY policy.yaml:4: severities.P1.page: is true, but PagerDuty is not configured: set PAGERDUTY_ROUTING_KEY (an Events API v2 integration key), or set page: false',
    ]);
  });

  it('reads services, escalation policies, severities and alert levels, with defaults filled in', () => {
    const c = withPolicy(
      { ...good, ...pagerduty },
      `${levels}pagerduty:
  escalationPolicies: [PEP0001]
  services:
    payments: { id: PSVC001, routingKey: ${'p'.repeat(32)} }
    ledger: { id: PSVC002 }
  severity: { P2: info }
alerts:
  levels: { critical: P1 }
  autoDeclare: [P1]
`,
    );
    expect(c.policy.pagerduty).toEqual({
      escalationPolicies: ['PEP0001'],
      services: {
        payments: { id: 'PSVC001', routingKey: 'p'.repeat(32) },
        ledger: { id: 'PSVC002', routingKey: null },
      },
      severity: { P1: 'critical', P2: 'info' },
      peopleService: 'payments',
      resolveWithPagerDuty: false,
    });
    expect(c.policy.alerts).toEqual({ severityLabel: 'severity', levels: { critical: 'P1' }, autoDeclare: ['P1'] });
  });

  it('refuses levels that do not exist and settings the environment cannot serve, each with its line', () => {
    const found = problems(
      { ...good, PAGERDUTY_ROUTING_KEY: 'r'.repeat(32) },
      `${levels}pagerduty:
  escalationPolicies: [PEP0001]
  services:
    ledger: { id: PSVC002 }
  severity: { P9: info }
alerts:
  levels: { critical: P7 }
  autoDeclare: [P1, Px]
`,
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'INCIDENT_POLICY policy.yaml:11: pagerduty.severity.P9: is not a severity level; use one of P1, P2',
        'INCIDENT_POLICY policy.yaml:8: pagerduty.escalationPolicies: needs PAGERDUTY_TOKEN (a REST API key) to look up who is on call',
        'INCIDENT_POLICY policy.yaml:10: pagerduty.services.ledger: has no routingKey, so paging it goes through the REST API, which needs PAGERDUTY_TOKEN and PAGERDUTY_FROM; give it a routingKey or set both',
        'INCIDENT_POLICY policy.yaml:13: alerts.levels.critical: is not a severity level; use one of P1, P2',
        'INCIDENT_POLICY policy.yaml:14: alerts.autoDeclare.1: is not a severity level; use one of P1, P2',
      ]),
    );
    expect(found).toHaveLength(5);
  });
});
