import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadPlaybooks, MUTATING, parsePlaybook } from '../../src/runbook/playbook.js';
import { SourceError } from '../../src/yaml-source.js';

const DIR = new URL('../../playbooks/', import.meta.url);
const shipped = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((name) => ({ name: `playbooks/${name}`, text: readFileSync(new URL(name, DIR), 'utf8') }));

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

describe('the shipped playbooks', () => {
  it('all parse and validate, with unique ids', () => {
    const books = loadPlaybooks(shipped);
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
    const books = loadPlaybooks(shipped);
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
});
