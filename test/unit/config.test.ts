import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { listenOn, loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { SHIPPED_DIAG_ENV } from '../support/diag-env.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'shh-secret',
  DATABASE_URL: 'postgres://u:pw@db/fb',
  REDIS_URL: 'redis://r:6379',
  ...SHIPPED_DIAG_ENV,
};

/** The policy below pages at P1, which needs PagerDuty configured (a routing key). */
const paging = { PAGERDUTY_ROUTING_KEY: 'R'.repeat(32) };

const policyFile = `severities:
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 15m
    page: true
    responders: [U0123ABC, S0456DEF]
    escalation:
      - { after: 15m, notify: [U0789GHI] }
  P4:
    description: Cosmetic
`;

describe('loadConfig', () => {
  it('returns a frozen config with defaults', () => {
    const c = loadConfig(good);
    expect(c.http.port).toBe(3000);
    expect(c.slack.incidentsChannel).toBe('incidents');
    expect(c.policy.severities.map((s) => s.level)).toEqual(['P0', 'P1', 'P2', 'P3']);
    expect(Object.isFrozen(c.slack)).toBe(true);
    expect(c.secrets).toEqual(expect.arrayContaining(['xoxb-1-2-abc', 'shh-secret', 'pw']));
  });

  it('lists every problem at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxp-user', PORT: 'eighty', REDIS_URL: 'http://x', ...SHIPPED_DIAG_ENV });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(5);
    expect(error!.message).toContain('SLACK_BOT_TOKEN must be a bot token');
    expect(error!.message).toContain('SLACK_SIGNING_SECRET is not set');
    expect(error!.message).toContain('DATABASE_URL is not set');
    expect(error!.message).toContain('REDIS_URL must start with redis://');
    expect(error!.message).toContain('PORT must be a port number');
  });

  it('loads an organisation’s own levels from INCIDENT_POLICY', () => {
    const c = loadConfig({ ...good, ...paging, INCIDENT_POLICY: '/etc/policy.yaml' }, (p) =>
      p === '/etc/policy.yaml' ? policyFile : readFileSync(p, 'utf8'),
    );
    expect(c.policy.severities.map((s) => s.level)).toEqual(['P1', 'P4']);
    expect(c.policy.severities[0]).toMatchObject({
      warRoom: true,
      updateEveryMs: 900_000,
      page: true,
      responders: ['U0123ABC', 'S0456DEF'],
      escalation: [{ afterMs: 900_000, notify: ['U0789GHI'] }],
    });
    expect(c.policy.severities[1]).toMatchObject({ warRoom: false, updateEveryMs: 3_600_000 });
  });

  it('names the file and line of each policy mistake', () => {
    const bad = `severities:
  P1:
    description: Major
    warRoom: yes please
    updateEvery: 15 min
    responders: [alice]
    warroom: true
`;
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...good, INCIDENT_POLICY: 'policy.yaml' }, (p) =>
        p === 'policy.yaml' ? bad : readFileSync(p, 'utf8'),
      );
    } catch (err) {
      error = err as ConfigError;
    }
    const text = error!.problems.join('\n');
    expect(text).toContain('policy.yaml:4: severities.P1.warRoom');
    expect(text).toContain('policy.yaml:5: severities.P1.updateEvery: is not a duration; write it like 30s, 15m or 1h');
    expect(text).toContain('policy.yaml:6: severities.P1.responders.0');
    expect(text).toMatch(/policy\.yaml:\d: severities\.P1: Unrecognized key: "warroom"/);
  });

  it('reads who may approve runbook changes: approvers, and approvals.requireApprover (off by default)', () => {
    expect(loadConfig(good).policy.approvals).toEqual({ requireApprover: false });
    const strict = `approvers: [U0SRE0001, S0PLATFORM]\napprovals: { requireApprover: true }\n${policyFile}`;
    const c = loadConfig({ ...good, ...paging, INCIDENT_POLICY: 'p.yaml' }, (p) =>
      p === 'p.yaml' ? strict : readFileSync(p, 'utf8'),
    );
    expect(c.policy.approvers).toEqual(['U0SRE0001', 'S0PLATFORM']);
    expect(c.policy.approvals).toEqual({ requireApprover: true });
    const typo = `approvals: { requireApprovers: true }\n${policyFile}`;
    expect(() =>
      loadConfig({ ...good, ...paging, INCIDENT_POLICY: 'p.yaml' }, (p) =>
        p === 'p.yaml' ? typo : readFileSync(p, 'utf8'),
      ),
    ).toThrow(/p\.yaml:1: approvals: Unrecognized key: "requireApprovers"/);
  });

  it('reports an unreadable policy file', () => {
    expect(() =>
      loadConfig({ ...good, INCIDENT_POLICY: '/nope.yaml' }, (p) => {
        if (p === '/nope.yaml') throw new Error('ENOENT');
        return readFileSync(p, 'utf8');
      }),
    ).toThrow('cannot read /nope.yaml');
  });

  it('loads the reviewed playbooks, and refuses to boot on a bad one with its file and line', () => {
    expect([...loadConfig(good).runbooks.playbooks.keys()]).toContain('restart-service');
    const hostile =
      'id: evil\ntitle: x\ndescription: x\nseverities: [P1]\nnamespaces: [shop]\nsteps:\n  - action: exec\n';
    expect(() =>
      loadConfig(
        { ...good, PLAYBOOKS_DIR: '/books' },
        () => hostile,
        () => ['evil.yaml'],
      ),
    ).toThrow('playbook /books/evil.yaml:7: steps.0.action: "exec" is not an action Firebreak knows');
  });

  it('listens on every interface unless HOST names one (the playground binds 127.0.0.1)', () => {
    expect(listenOn(loadConfig({ ...good, PORT: '3100' }))).toBe(3100);
    expect(listenOn(loadConfig({ ...good, PORT: '3100', HOST: '127.0.0.1' }))).toEqual({
      port: 3100,
      host: '127.0.0.1',
    });
  });

  it('serves /metrics beside the Slack endpoint unless given a port or a token of its own', () => {
    expect(loadConfig(good).http).toMatchObject({ metricsPort: undefined, metricsToken: undefined });
    const c = loadConfig({ ...good, METRICS_PORT: '9464', METRICS_TOKEN: 'a'.repeat(32) });
    expect(c.http).toMatchObject({ metricsPort: 9464, metricsToken: 'a'.repeat(32) });
    expect(c.secrets).toContain('a'.repeat(32));
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...good, PORT: '3000', METRICS_PORT: '3000', METRICS_TOKEN: 'short' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error!.problems).toEqual([
      'METRICS_PORT must differ from PORT (unset it to serve /metrics beside the Slack endpoint)',
      'METRICS_TOKEN must be at least 16 characters: generate one with `openssl rand -hex 24`',
    ]);
  });

  it('reads each diagnostic connection from its own DIAG_ variable only, and keeps its password out of the logs', () => {
    const c = loadConfig({
      ...good,
      DIAG_DATABASE_ADAPTIVE_LEARNING_URL: 'postgres://firebreak_diag:al-pass-1@al-db:5432/adaptive_learning',
      DIAG_REDIS_SESSIONS_URL: 'rediss://firebreak-diag:redis-pass-2@cache:6380',
      DIAG_TIMEOUT: '3s',
    });
    expect(c.diagnostics.databases.get('adaptive-learning')).toBe(
      'postgres://firebreak_diag:al-pass-1@al-db:5432/adaptive_learning',
    );
    expect(c.diagnostics.redis.get('sessions')).toBe('rediss://firebreak-diag:redis-pass-2@cache:6380');
    expect(c.diagnostics.timeoutMs).toBe(3000);
    expect(c.secrets).toEqual(expect.arrayContaining(['al-pass-1', 'redis-pass-2']));
    // The bot's own DATABASE_URL and REDIS_URL are never a diagnostics connection.
    const own = loadConfig(
      {
        SLACK_BOT_TOKEN: good.SLACK_BOT_TOKEN,
        SLACK_SIGNING_SECRET: good.SLACK_SIGNING_SECRET,
        DATABASE_URL: good.DATABASE_URL,
        REDIS_URL: good.REDIS_URL,
        PLAYBOOKS_DIR: '/none',
      },
      () => '',
      () => [],
    );
    expect([...own.diagnostics.databases.values(), ...own.diagnostics.redis.values()]).toEqual([]);
  });

  it('refuses a malformed diagnostics setting, naming the variable', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ ...good, DIAG_DATABASE_AI_DEVELOPMENT_URL: 'mysql://x', DIAG_TIMEOUT: 'forever' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.problems).toEqual([
      'DIAG_DATABASE_AI_DEVELOPMENT_URL must be a URL such as postgres://firebreak_diag:PASSWORD@db.example:5432/app (a role with pg_monitor, and pg_signal_backend for pg-terminate)',
      'DIAG_TIMEOUT must be a duration from 1s to 30s, such as 5s, not "forever"',
    ]);
  });

  it('boots when a playbook names a database with no connection, with one line per variable naming the playbooks', () => {
    const { DIAG_DATABASE_EDUCATION_URL: _, ...withoutEducation } = good as Record<string, string>;
    const config = loadConfig({ ...withoutEducation, DIAG_DATABASE_AI_DEVELOPMENT_URL: '' });
    expect(config.diagnostics.databases.has('education')).toBe(false);
    expect(config.diagnostics.missing).toEqual([
      expect.stringMatching(
        /^DIAG_DATABASE_AI_DEVELOPMENT_URL is not set, and database "ai-development" is named by playbook playbooks\/ai-database-connections\.yaml steps\.0, /,
      ),
      expect.stringMatching(
        /^DIAG_DATABASE_EDUCATION_URL is not set, and database "education" is named by playbook playbooks\/database-health\.yaml steps\.0, .*playbooks\/kill-long-running-queries\.yaml steps\.1: those steps will answer that it is not configured until you set it to postgres:\/\/.*, or take education out of those playbooks$/,
      ),
    ]);
  });
});
