import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { checkApproval, checkRequest, executionBlocks } from '../../src/runbook/guard.js';
import { bindParams } from '../../src/runbook/params.js';
import { parsePlaybook } from '../../src/runbook/playbook.js';
import { renderStep, targetOf } from '../../src/runbook/template.js';

const book = (id: string) =>
  parsePlaybook(readFileSync(new URL(`../../playbooks/examples/${id}.yaml`, import.meta.url), 'utf8'), `${id}.yaml`);
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

describe('the guards again, just before an approved step is applied', () => {
  const step = renderStep(scale.steps[0]!, { namespace: 'shop', deployment: 'web', replicas: 5 });
  const facts = {
    playbook: scale,
    step,
    incident: { status: 'open', severity: 'P1' },
    decidedAt: new Date(now.getTime() - 60_000),
    now,
    approvalTtlMs: 15 * 60_000,
  };
  it('let a fresh approval of an open incident within the allowlists through', () =>
    expect(executionBlocks(facts)).toBeUndefined());
  it('stop a resolved or gone incident, a lowered severity, a playbook reloaded without the target, a lapsed approval', () => {
    expect(executionBlocks({ ...facts, incident: { status: 'resolved', severity: 'P1' } })).toContain('resolved');
    expect(executionBlocks({ ...facts, incident: undefined })).toBe('The incident no longer exists.');
    expect(executionBlocks({ ...facts, incident: { status: 'open', severity: 'P3' } })).toContain(
      'may run only for P0, P1, P2',
    );
    const narrowed = { ...scale, deployments: { shop: ['cart-api'] } };
    expect(executionBlocks({ ...facts, playbook: narrowed })).toBe(
      "shop/web is outside scale-service's allowlist; in shop it may act on cart-api.",
    );
    expect(executionBlocks({ ...facts, decidedAt: new Date(now.getTime() - 15 * 60_000 - 1) })).toContain(
      'past the 15m an approval holds',
    );
  });
});

describe('the two-person rule at click time', () => {
  const f = {
    actor: 'U0IC000001',
    requestedBy: 'U0REQUEST1',
    commanderAtRequest: 'U0IC000001',
    commanderNow: 'U0IC000001',
    approvers: new Set(['U0SRE00001']),
    requireApprover: false,
    state: 'awaiting_approval',
    decidedBy: null,
    expiresAt: new Date(now.getTime() + 60_000),
    now,
  };
  it('lets the IC or a listed approver approve', () => {
    expect(() => checkApproval(f, 'approve')).not.toThrow();
    expect(() => checkApproval({ ...f, actor: 'U0SRE00001' }, 'approve')).not.toThrow();
  });
  it('refuses the requester, strangers, late and repeated clicks', () => {
    expect(
      refused(() =>
        checkApproval(
          { ...f, actor: 'U0REQUEST1', commanderAtRequest: 'U0REQUEST1', commanderNow: 'U0REQUEST1' },
          'approve',
        ),
      ),
    ).toContain('someone else must approve');
    expect(refused(() => checkApproval({ ...f, actor: 'U0RANDOM01' }, 'approve'))).toContain(
      'Only the incident commander',
    );
    expect(refused(() => checkApproval({ ...f, expiresAt: new Date(now.getTime() - 1) }, 'approve'))).toContain(
      'expired',
    );
    expect(refused(() => checkApproval({ ...f, state: 'approved', decidedBy: 'U0SRE00001' }, 'approve'))).toContain(
      'already decided by U0SRE00001',
    );
  });
  it('lets the requester deny their own request', () =>
    expect(() => checkApproval({ ...f, actor: 'U0REQUEST1' }, 'deny')).not.toThrow());

  it('does not make someone who named themselves IC after the request an approver', () => {
    const selfMade = { ...f, actor: 'U0MALLORY1', commanderNow: 'U0MALLORY1' };
    expect(refused(() => checkApproval(selfMade, 'approve'))).toContain(
      'You became incident commander after this run was requested; it stays with the IC at the time (U0IC000001)',
    );
    expect(() => checkApproval({ ...f, commanderNow: 'U0NEWIC001' }, 'approve')).not.toThrow();
  });

  it('under approvals.requireApprover, only listed approvers approve; the IC may still deny', () => {
    const strict = { ...f, requireApprover: true };
    expect(refused(() => checkApproval(strict, 'approve'))).toContain('Only a listed approver can approve');
    expect(() => checkApproval({ ...strict, actor: 'U0SRE00001' }, 'approve')).not.toThrow();
    expect(() => checkApproval(strict, 'deny')).not.toThrow();
  });

  it('lets the requester, the IC (then or now) and approvers deny, and nobody else', () => {
    for (const actor of ['U0REQUEST1', 'U0IC000001', 'U0SRE00001'])
      expect(() => checkApproval({ ...f, actor }, 'deny')).not.toThrow();
    expect(() => checkApproval({ ...f, actor: 'U0NEWIC001', commanderNow: 'U0NEWIC001' }, 'deny')).not.toThrow();
    expect(refused(() => checkApproval({ ...f, actor: 'U0RANDOM01' }, 'deny'))).toContain(
      'Only the requester (U0REQUEST1), the incident commander or a listed approver can deny',
    );
  });
});

describe('allowlists of the shipped playbooks', () => {
  const shipped = (id: string) =>
    parsePlaybook(readFileSync(new URL(`../../playbooks/${id}.yaml`, import.meta.url), 'utf8'), `${id}.yaml`);
  const restart = shipped('restart-service');
  const facts = (params: Record<string, string | number>) => ({
    playbook: restart,
    params,
    severity: 'P1',
    incidentOpen: true,
    lastFinishedAt: null,
    defaultCooldownMs: 600_000,
    now,
  });
  it('allow a deployment only in the namespace it belongs to', () => {
    expect(() =>
      checkRequest(facts(bindParams(restart, { namespace: 'adaptive-learning-production', deployment: 'ml-service' }))),
    ).not.toThrow();
    expect(
      refused(() => checkRequest(facts(bindParams(restart, { namespace: 'education', deployment: 'ml-service' })))),
    ).toBe(
      "education/ml-service is outside restart-service's allowlist; in education it may act on education-revenue-engine.",
    );
  });
  it('refuse parameter names that every object already has', () => {
    expect(refused(() => bindParams(restart, { constructor: 'x', deployment: 'ml-service' }))).toContain(
      '`constructor` is not a parameter of restart-service',
    );
    expect(refused(() => bindParams(restart, { toString: 'x' }))).toContain('`toString` is not a parameter');
  });
});
