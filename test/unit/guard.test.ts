import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { bindParams, checkApproval, checkRequest, renderStep, targetOf } from '../../src/runbook/guard.js';
import { parsePlaybook } from '../../src/runbook/playbook.js';

const book = (id: string) =>
  parsePlaybook(readFileSync(new URL(`../../playbooks/${id}.yaml`, import.meta.url), 'utf8'), `${id}.yaml`);
const scale = book('scale-service');
const now = new Date('2026-11-22T15:00:00Z');
const refused = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('allowed');
};

describe('parameters', () => {
  it('bind with defaults and types, and fill the steps', () => {
    const params = bindParams(scale, { deployment: 'web', replicas: '5' });
    expect(params).toEqual({ namespace: 'shop', deployment: 'web', replicas: 5 });
    expect(renderStep(scale.steps[0]!, params)).toEqual({
      action: 'scale',
      namespace: 'shop',
      deployment: 'web',
      replicas: 5,
    });
    expect(targetOf(scale, params)).toBe('shop/web');
  });
  it('refuse what the playbook does not allow, saying what is', () => {
    expect(refused(() => bindParams(scale, { deployment: 'db', replicas: '50' }))).toMatch(
      /`deployment=db` is not allowed \(one of web, checkout-api, cart-api, payments-api\)\n`replicas=50` is not allowed \(a whole number from 1 to 20\)/,
    );
    expect(refused(() => bindParams(scale, { replicas: '2' }))).toContain('`deployment` is required');
    expect(refused(() => bindParams(scale, { deployment: 'web', replicas: '2', force: 'yes' }))).toContain(
      '`force` is not a parameter of scale-service',
    );
    expect(refused(() => bindParams(scale, { deployment: 'web', replicas: '2;rm' }))).toContain('not allowed');
  });
});

describe('the request guard', () => {
  const facts = {
    playbook: scale,
    params: { namespace: 'shop', deployment: 'web', replicas: 5 },
    severity: 'P1',
    incidentOpen: true,
    lastFinishedAt: null,
    defaultCooldownMs: 600_000,
    now,
  };
  it('allows a request within policy', () => expect(() => checkRequest(facts)).not.toThrow());
  it('refuses severities, namespaces and cooldowns outside policy', () => {
    expect(refused(() => checkRequest({ ...facts, severity: 'P3' }))).toContain('may run only for P0, P1, P2');
    expect(refused(() => checkRequest({ ...facts, params: { ...facts.params, namespace: 'kube-system' } }))).toContain(
      'outside scale-service',
    );
    expect(refused(() => checkRequest({ ...facts, lastFinishedAt: new Date(now.getTime() - 60_000) }))).toContain(
      'the cooldown has 4 min to go',
    );
    expect(refused(() => checkRequest({ ...facts, incidentOpen: false }))).toContain('resolved');
  });
});

describe('the two-person rule at click time', () => {
  const f = {
    approver: 'U0IC000001',
    requestedBy: 'U0REQUEST1',
    commander: 'U0IC000001',
    approvers: new Set(['U0SRE00001']),
    state: 'awaiting_approval',
    decidedBy: null,
    expiresAt: new Date(now.getTime() + 60_000),
    now,
  };
  it('lets the IC or a listed approver approve', () => {
    expect(() => checkApproval(f, 'approve')).not.toThrow();
    expect(() => checkApproval({ ...f, approver: 'U0SRE00001' }, 'approve')).not.toThrow();
  });
  it('refuses the requester, strangers, late and repeated clicks', () => {
    expect(
      refused(() => checkApproval({ ...f, approver: 'U0REQUEST1', commander: 'U0REQUEST1' }, 'approve')),
    ).toContain('someone else must approve');
    expect(refused(() => checkApproval({ ...f, approver: 'U0RANDOM01' }, 'approve'))).toContain(
      'Only the incident commander',
    );
    expect(refused(() => checkApproval({ ...f, expiresAt: new Date(now.getTime() - 1) }, 'approve'))).toContain(
      'expired',
    );
    expect(refused(() => checkApproval({ ...f, state: 'approved', decidedBy: 'U0SRE00001' }, 'approve'))).toContain(
      'already decided by <@U0SRE00001>',
    );
  });
  it('lets the requester deny their own request', () =>
    expect(() => checkApproval({ ...f, approver: 'U0REQUEST1' }, 'deny')).not.toThrow());
});
