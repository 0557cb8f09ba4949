import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { bindParams } from '../../src/runbook/params.js';
import { loadPlaybooks, parsePlaybook, reachOf } from '../../src/runbook/playbook.js';
import { MUTATING } from '../../src/runbook/playbook-schema.js';
import { renderStep } from '../../src/runbook/template.js';
import { SourceError } from '../../src/yaml-source.js';

const folder = (path: string) => {
  const dir = new URL(`../../${path}/`, import.meta.url);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((name) => ({ name: `${path}/${name}`, text: readFileSync(new URL(name, dir), 'utf8') }));
};
/** The shop/payments examples the runbook tests drive (PLAYBOOKS_DIR=playbooks/examples). */
const examples = folder('playbooks/examples');
const shipped = folder('playbooks');

const problems = (text: string) => {
  try {
    parsePlaybook(text, 'hostile.yaml');
  } catch (err) {
    if (err instanceof SourceError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('accepted');
};

const base = (steps: string, extra = '') => `id: test-book
title: Test
description: A test playbook
severities: [P1]
namespaces: [shop]
params:
  namespace: { type: enum, values: [shop] }
  deployment: { type: enum, values: [web] }
${extra}steps:
${steps}`;

describe('the example playbooks', () => {
  it('all parse and validate, with unique ids', () => {
    const books = loadPlaybooks(examples);
    expect([...books.keys()].sort()).toEqual([
      'check-service-health',
      'connection-pool-increase',
      'memory-leak-mitigation',
      'restart-service',
      'rollback-deployment',
      'scale-service',
    ]);
  });

  it('cover the runbooks’ procedures, read-only health check included', () => {
    const books = loadPlaybooks(examples);
    expect(books.get('check-service-health')!.steps.every((s) => !MUTATING.has(s.action))).toBe(true);
    expect(books.get('restart-service')!.steps.map((s) => s.action)).toEqual(['rollout-restart', 'rollout-status']);
    expect(books.get('connection-pool-increase')!.steps[0]!.action).toBe('set-env');
    expect(books.get('memory-leak-mitigation')!.steps[0]!.action).toBe('set-memory-limit');
    expect(books.get('scale-service')!.params.replicas).toEqual({
      type: 'integer',
      min: 1,
      max: 20,
      description: 'Desired replicas',
    });
  });
});

describe('the shipped playbooks, for the services our runbooks name', () => {
  const books = loadPlaybooks(shipped);
  const targets = (id: string) =>
    reachOf(books.get(id)!)
      .filter((r) => MUTATING.has(r.action))
      .map((r) => `${r.namespace}/${r.name}`);

  it('all parse and validate, with unique ids', () => {
    expect([...books.keys()].sort()).toEqual([
      'ai-database-connections',
      'api-gateway-rate-limit',
      'check-service-health',
      'connection-pool-increase',
      'database-health',
      'kill-long-running-queries',
      'memory-leak-mitigation',
      'restart-service',
      'rollback-deployment',
      'scale-service',
    ]);
  });

  it('restart, scale and roll back exactly the services of the four products, each in its own namespace', () => {
    const services = [
      'adaptive-learning-production/auth-service',
      'adaptive-learning-production/ml-service',
      'adaptive-learning-production/scheduler-service',
      'adaptive-learning-production/user-service',
      'ai-development/api-gateway',
      'ai-development/api-server',
      'ai-development/auth-service',
      'education/education-revenue-engine',
      'studyteddy-production/backend-production',
    ];
    for (const id of ['restart-service', 'scale-service', 'rollback-deployment'])
      expect([...new Set(targets(id))].sort()).toEqual(services);
    expect(books.get('scale-service')!.params.replicas).toMatchObject({ type: 'integer', min: 1, max: 20 });
    expect(books.get('check-service-health')!.steps.map((s) => s.action)).toEqual([
      'get-deployment',
      'pod-restarts',
      'top-pods',
      'hpa-status',
      'warning-events',
      'rollout-history',
    ]);
  });

  it('raise api-server’s pool to DB_POOL_SIZE=50 and DB_POOL_OVERFLOW=20 by default, then restart and wait', () => {
    const pool = books.get('connection-pool-increase')!;
    expect(pool.steps.map((s) => s.action)).toEqual(['set-env', 'rollout-restart', 'rollout-status']);
    expect(renderStep(pool.steps[0]!, bindParams(pool, {}))).toMatchObject({
      namespace: 'ai-development',
      deployment: 'api-server',
      env: { DB_POOL_SIZE: 50, DB_POOL_OVERFLOW: 20 },
    });
    expect(targets('connection-pool-increase')).toEqual(['ai-development/api-server', 'ai-development/api-server']);
    expect(targets('memory-leak-mitigation')).toEqual(['ai-development/api-server']);
  });

  it('change only the rate-limit key of api-gateway-config, then restart api-gateway', () => {
    const rate = books.get('api-gateway-rate-limit')!;
    expect(rate.configMaps).toEqual([
      { namespace: 'ai-development', name: 'api-gateway-config', keys: ['RATE_LIMIT_PER_MINUTE'] },
    ]);
    expect(targets('api-gateway-rate-limit')).toEqual([
      'ai-development/api-gateway-config',
      'ai-development/api-gateway',
    ]);
  });
});

describe('a malformed or hostile playbook is refused at load time, naming the file and line', () => {
  it('an unknown action', () => {
    expect(problems(base('  - action: exec\n    namespace: shop\n    deployment: web\n'))).toMatch(
      /^hostile\.yaml:10: steps\.0\.action: "exec" is not an action Firebreak knows/,
    );
  });

  it('a namespace outside the allowlist, literal or through a parameter', () => {
    expect(problems(base('  - action: rollout-restart\n    namespace: kube-system\n    deployment: web\n'))).toContain(
      'hostile.yaml:11: steps.0.namespace: "kube-system" is outside the playbook\'s namespaces (shop)',
    );
    const viaParam = base('  - action: rollout-restart\n    namespace: "{{ns}}"\n    deployment: web\n', 'params2: x\n')
      .replace('params2: x\n', '')
      .replace(
        '  namespace: { type: enum, values: [shop] }',
        '  namespace: { type: enum, values: [shop] }\n  ns: { type: enum, values: [shop, kube-system] }',
      );
    expect(problems(viaParam)).toContain('"kube-system" is outside the playbook\'s namespaces');
  });

  it('a ConfigMap key outside its allowlist', () => {
    expect(
      problems(
        base(
          '  - action: patch-configmap\n    namespace: shop\n    name: app-config\n    key: ADMIN_PASSWORD\n    value: x\n',
          'configMaps:\n  - { namespace: shop, name: app-config, keys: [LOG_LEVEL] }\n',
        ),
      ),
    ).toMatch(
      /hostile\.yaml:\d+: steps\.0: ConfigMap shop\/app-config key "ADMIN_PASSWORD" is outside the playbook's configMaps allowlist/,
    );
  });

  it('template injection: undeclared parameters, other template syntax, unsafe values', () => {
    expect(
      problems(
        base(
          '  - action: set-image\n    namespace: shop\n    deployment: web\n    container: web\n    image: "{{ image }}"\n',
        ),
      ),
    ).toContain('{{image}} is not a declared parameter');
    expect(
      problems(
        base(
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the hostile playbook holds a literal ${TAG}
          '  - action: set-image\n    namespace: shop\n    deployment: web\n    container: web\n    image: "nginx:${TAG}"\n',
        ),
      ),
    ).toContain('template syntax other than {{param}} is refused');
    expect(
      problems(
        base('  - action: rollout-restart\n    namespace: shop\n    deployment: "{{ deployment }}{{ namespace }}"\n'),
      ),
    ).toContain('must be a literal or one enum parameter');
    expect(
      problems(
        base('  - action: rollout-restart\n    namespace: shop\n    deployment: web\n').replace(
          'values: [web]',
          "values: ['web; rm -rf /', '{{x}}']",
        ),
      ),
    ).toContain('is not a safe value');
    expect(
      problems(
        base(
          '  - action: set-image\n    namespace: shop\n    deployment: web\n    container: web\n    image: "{{image}}"\n',
          '',
        ).replace(
          '  deployment: { type: enum, values: [web] }',
          "  deployment: { type: enum, values: [web] }\n  image: { type: string, pattern: '.*' }",
        ),
      ),
    ).toContain('must be anchored');
  });

  it('every problem at once, and YAML errors with their lines', () => {
    const many = problems(
      base('  - action: exec\n  - action: scale\n    namespace: prod\n    deployment: web\n    replicas: 3\n'),
    );
    expect(many).toContain('hostile.yaml:10: steps.0.action: "exec"');
    expect(many).toContain('hostile.yaml:12: steps.1.namespace: "prod" is outside');
    expect(problems('id: x\nid: y\n')).toMatch(/^hostile\.yaml:2: /);
  });

  it('a reserved parameter name, and a deployment outside the deployments allowlist', () => {
    const reserved = base('  - action: rollout-restart\n    namespace: shop\n    deployment: web\n').replace(
      '  deployment: { type: enum, values: [web] }',
      '  deployment: { type: enum, values: [web] }\n  constructor: { type: enum, values: [x] }',
    );
    expect(problems(reserved)).toContain('params.constructor: "constructor" is a reserved name');
    const outside = base(
      '  - action: rollout-restart\n    namespace: shop\n    deployment: web\n',
      'deployments:\n  shop: [api]\n  kube-system: [coredns]\n',
    );
    expect(problems(outside)).toContain(
      'deployments.kube-system: "kube-system" is not one of the playbook\'s namespaces',
    );
    expect(problems(outside)).toContain(
      'steps.0.deployment: "web" is not in the playbook\'s deployments allowlist for shop',
    );
  });
});

describe('database and Redis steps', () => {
  const db = (steps: string, params = '') => `id: db-book
title: Database
description: A database playbook
severities: [P1]
params:
  database: { type: enum, values: [shop, billing] }
${params}steps:
${steps}`;

  it('need no namespace, and reach no Kubernetes object', () => {
    const pb = parsePlaybook(
      db('  - action: pg-activity\n    database: "{{database}}"\n  - action: redis-info\n    redis: sessions\n'),
      'db.yaml',
    );
    expect(pb.namespaces).toEqual([]);
    expect(reachOf(pb)).toEqual([]);
    expect(pb.steps[0]).toMatchObject({ action: 'pg-activity', longerThan: '1m', maskLiterals: true, queryChars: 100 });
  });

  it('the shipped ones: database health, kill long-running queries at 5 and 10 minutes, and the AI connection check', () => {
    const books = loadPlaybooks(shipped);
    expect(books.get('database-health')!.steps.map((s) => s.action)).toEqual([
      'pg-activity',
      'pg-locks',
      'pg-slow-queries',
    ]);
    const kill = books.get('kill-long-running-queries')!;
    expect(kill.params.minutes).toMatchObject({ type: 'integer', min: 5, default: 10 });
    expect(kill.steps[1]).toMatchObject({ action: 'pg-terminate', olderThan: '{{minutes}}m', maxBackends: 50 });
    expect(
      books
        .get('ai-database-connections')!
        .steps.every((s) => (s as { database: string }).database === 'ai-development'),
    ).toBe(true);
    expect(kill.params.database).toMatchObject({
      values: ['adaptive-learning', 'ai-development', 'education', 'studyteddy'],
    });
  });

  it('a database named other than by a literal or one enum parameter, or by something that is not a name', () => {
    expect(problems(db('  - action: pg-locks\n    database: "db-{{database}}"\n'))).toContain(
      'hostile.yaml:9: steps.0.database: must be a literal or one enum parameter, so the bot can check at boot that it has a connection for each',
    );
    expect(problems(db('  - action: pg-locks\n    database: Shop_DB\n'))).toContain(
      'steps.0.database: "Shop_DB" is not a database name: use lowercase letters, digits and dashes',
    );
  });

  it('a terminate filter that matches everything without a bound, a bad pattern, a pattern from a parameter, a bad duration', () => {
    const all = problems(db('  - action: pg-terminate\n    database: shop\n    state: idle\n'));
    expect(all).toContain(
      'steps.0.maxBackends: the filter would match every backend (no user, application, queryPattern or olderThan); set maxBackends to bound how many backends one run may end',
    );
    expect(() =>
      parsePlaybook(db('  - action: pg-terminate\n    database: shop\n    maxBackends: 5\n'), 'bounded.yaml'),
    ).not.toThrow();
    expect(
      problems(db('  - action: pg-terminate\n    database: shop\n    olderThan: 5m\n    queryPattern: "(unclosed"\n')),
    ).toContain('steps.0.queryPattern: is not a regular expression');
    expect(
      problems(
        db(
          '  - action: pg-terminate\n    database: shop\n    olderThan: 5m\n    queryPattern: "{{pattern}}"\n',
          '  pattern: { type: string, pattern: "^[a-z]+$" }\n',
        ),
      ),
    ).toContain("steps.0.queryPattern: must be a literal: a parameter's value could widen the pattern");
    expect(problems(db('  - action: pg-terminate\n    database: shop\n    olderThan: soon\n'))).toContain(
      'steps.0.olderThan: must be a duration such as 30s, 5m or 1h',
    );
    expect(problems(db('  - action: pg-terminate\n    database: shop\n    olderThan: 5m\n    grace: 1h\n'))).toContain(
      'steps.0.grace: must be from 1s to 99s, or 1m to 5m',
    );
  });
});
