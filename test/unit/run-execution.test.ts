import { describe, expect, it } from '@jest/globals';
import { ClusterFailure } from '../../src/errors.js';
import { type MemoryRunbooks, memoryRunbooks, PLAYBOOKS, refusal, shown } from '../support/memory/runbooks.js';

const IC = 'U0DECLARER';

/** A run approved by the IC whose worker took the step, moved it to running, and died before the patch. */
async function diedMidStep(w: MemoryRunbooks, playbook = 'restart-service', args: Record<string, string> = {}) {
  const id = await w.asked(playbook, args);
  const token = (await w.run(id)).preview!.token;
  await w.click(id, 'approve', IC);
  expect(await w.outbox.claim(id, w.clock.now(), ['execute'])).toBeDefined();
  await w.runs.transition(id, ['approved'], 'running', {}, { token });
  return id;
}

describe('a cluster that fails', () => {
  it('ends the run failed with words an SRE can act on, on its card and in the war room', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const forbidden =
      "The cluster refused restarting shop/web: deployments.apps is forbidden. The bot's service account needs that permission (see manifests/rbac.yaml).";
    w.cluster.failNext('restart', new ClusterFailure('forbidden', forbidden));
    await w.click(id, 'approve', IC);
    await w.fire();
    const run = await w.run(id);
    expect(run).toMatchObject({ state: 'failed', outcome: forbidden });
    expect(shown(w.card(id).notice)).toBe('failed');
    expect(w.chat.about(id).find((m) => m.notice.kind === 'result')?.notice).toMatchObject({
      ok: false,
      lines: [forbidden],
    });
    expect(w.runs.events(id)).toEqual(['requested', 'dry_run', 'approved', 'failed']);
    expect(await w.runs.lastFinished('shop/web')).toEqual(w.clock.now());
  });

  it('whose status writes outran every attempt: the approval holds, and the step is applied on the next try', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const raced =
      'Nothing was applied while restarting shop/web: its status changed under each of 10 attempts (writes racing the patch); the approval still holds.';
    w.cluster.failNext('restart', new ClusterFailure('raced', raced));
    await w.click(id, 'approve', IC);
    await w.fire();
    expect(await w.run(id)).toMatchObject({ state: 'running', outcome: null });
    expect(w.cluster.applied).toEqual([]);
    expect(w.incidents.timeline.map((t) => t.entry.text)).toContain(
      `${id} restart-service: Applying the approved step failed (${raced}); retrying in 2s`,
    );
    w.clock.advance(2_000);
    await w.fire();
    expect((await w.run(id)).state).toBe('succeeded');
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    expect(w.runs.events(id)).not.toContain('changed');
  });

  it('during the dry run: nothing is asked, and the requester sees why', async () => {
    const w = memoryRunbooks();
    w.cluster.failNext('getDeployment', new ClusterFailure('unreachable', 'The Kubernetes API could not be reached.'));
    const { run } = await w.request('restart-service', { deployment: 'web' });
    expect(run).toMatchObject({ state: 'failed', outcome: 'The Kubernetes API could not be reached.' });
    expect(w.chat.cards(run.id)).toEqual([]);
    expect(await w.runs.lastFinished('shop/web')).toBeNull();
  });
});

describe('a playbook of several changes', () => {
  it('asks for each change on a card of its own; the earlier card ends with what was applied', async () => {
    const w = memoryRunbooks();
    const id = await w.asked('pool-increase');
    expect((await w.run(id)).preview?.lines[0]).toBe('DB_POOL_MAX: (unset) → 50');
    const first = w.card(id);
    await w.click(id, 'approve', IC);
    await w.fire();
    const second = await w.run(id);
    expect(second).toMatchObject({ state: 'awaiting_approval', step: 1, decidedBy: IC });
    expect(second.preview?.lines[0]).toMatch(/^rolling restart of shop\/web \(revision 2 → 3/);
    expect(w.chat.cards(id)).toHaveLength(2);
    expect(first.notice).toMatchObject({ kind: 'applied', message: 'shop/web environment updated', approvedBy: IC });
    expect(w.card(id).ts).toBe(second.cardTs);
    expect(w.card(id).ts).not.toBe(first.ts);
    expect(await refusal(w.click(id, 'approve', IC, first))).toContain('earlier preview');

    await w.click(id, 'approve', IC);
    await w.fire();
    expect((await w.run(id)).state).toBe('succeeded');
    expect(w.cluster.applied.map((a) => a.verb)).toEqual(['setEnv', 'restart']);
    expect(w.runs.events(id)).toEqual([
      'requested',
      'dry_run',
      'approved',
      'executed',
      'dry_run',
      'approved',
      'executed',
      'succeeded',
    ]);
  });
});

/** The gateway's rate limit, then a restart of cart-api, which reads it: two targets. */
const GATEWAY = `${PLAYBOOKS['rate-limit'].replace('id: rate-limit', 'id: gateway-limit')}  - action: rollout-restart
    namespace: shop
    deployment: cart-api
`;

describe('a run that changes more than one target', () => {
  it('holds every one of them until it ends: another run on any of them is refused, then allowed after the cooldown', async () => {
    const w = memoryRunbooks({ playbooks: { 'gateway-limit': GATEWAY } });
    const { run } = await w.request('gateway-limit');
    const id = run.id;
    expect(run).toMatchObject({ state: 'awaiting_approval', target: 'shop/gateway' });
    expect(await refusal(w.request('restart-service', { deployment: 'cart-api' }))).toBe(
      'Another runbook is already working on shop/cart-api. Wait for it to finish (or be denied) first.',
    );
    expect(await refusal(w.request('rate-limit'))).toContain('Another runbook is already working on shop/gateway.');
    await w.click(id, 'approve', IC);
    await w.fire();
    expect((await w.run(id)).step).toBe(1);
    expect(await refusal(w.request('scale-service', { deployment: 'cart-api', replicas: '4' }))).toContain(
      'already working on shop/cart-api',
    );
    await w.click(id, 'approve', IC);
    await w.fire();
    expect((await w.run(id)).state).toBe('succeeded');
    expect(w.cluster.applied.map((a) => `${a.verb} ${a.target}`)).toEqual([
      'patchConfigMap shop/gateway',
      'restart shop/cart-api',
    ]);
    // Its cooldown counts for each target it changed, the later ones too.
    expect(await refusal(w.request('restart-service', { deployment: 'cart-api' }))).toContain(
      'shop/cart-api was changed by a runbook 0 min ago; the cooldown has 10 min to go.',
    );
    w.clock.advance(10 * 60_000);
    expect((await w.request('restart-service', { deployment: 'cart-api' })).run.state).toBe('awaiting_approval');
  });

  it('asked by a playbook that reaches a target another run holds is refused, naming each target', async () => {
    const w = memoryRunbooks({ playbooks: { 'gateway-limit': GATEWAY } });
    await w.asked('restart-service', { deployment: 'cart-api' });
    expect(await refusal(w.request('gateway-limit'))).toBe(
      'Another runbook is already working on shop/gateway or shop/cart-api. Wait for it to finish (or be denied) first.',
    );
  });
});

describe('the approval binds to the previewed spec', () => {
  it('a spec changed from outside applies nothing: the old card says why, and a new preview asks again', async () => {
    const w = memoryRunbooks();
    const id = await w.asked('scale-service', { replicas: '5' });
    const old = w.card(id);
    w.cluster.change('shop', 'web', { replicas: 4 });
    await w.click(id, 'approve', IC);
    await w.fire();
    expect(w.cluster.applied).toEqual([]);
    const run = await w.run(id);
    expect(run.state).toBe('awaiting_approval');
    expect(run.preview?.lines).toEqual(['replicas 4 → 5']);
    expect(run.preview?.replaces).toBe('replicas 3 → 4 changed by someone else after the preview');
    expect(old.notice).toMatchObject({
      kind: 'superseded',
      reason: 'replicas 3 → 4 changed by someone else after the preview',
      approvedBy: IC,
    });
    expect(w.card(id).ts).not.toBe(old.ts);
    expect(w.runs.events(id)).toEqual(['requested', 'dry_run', 'approved', 'changed', 'dry_run']);

    expect(await refusal(w.click(id, 'approve', IC, old))).toContain('earlier preview');
    await w.click(id, 'approve', IC);
    await w.fire();
    expect(w.cluster.applied).toEqual([{ verb: 'scale', target: 'shop/web' }]);
    expect((await w.cluster.getDeployment('shop', 'web')).replicas).toBe(5);
  });

  it('holds through status writes: the change applies once, with no second ask', async () => {
    const w = memoryRunbooks();
    const id = await w.asked('scale-service', { replicas: '5' });
    w.cluster.touchStatus('shop', 'web');
    w.cluster.touchStatus('shop', 'web');
    await w.click(id, 'approve', IC);
    await w.fire();
    expect(w.cluster.applied).toEqual([{ verb: 'scale', target: 'shop/web' }]);
    expect(w.runs.events(id)).not.toContain('changed');
    expect(w.chat.cards(id)).toHaveLength(1);
  });

  it('a ConfigMap key changed since the preview is not overwritten', async () => {
    const w = memoryRunbooks();
    const { run } = await w.request('rate-limit');
    expect(run.preview?.lines).toEqual(['ConfigMap shop/gateway RATE_LIMIT: 600 → 300']);
    w.cluster.setConfigMapValue('shop', 'gateway', 'RATE_LIMIT', '450');
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect(await w.cluster.configMapValue('shop', 'gateway', 'RATE_LIMIT')).toBe('450');
    expect((await w.run(run.id)).preview?.replaces).toBe(
      'its value "600" → "450" was changed by someone else after the preview',
    );
  });
});

describe('a worker that dies', () => {
  it('mid-step, before the change landed: the next worker applies it once the lease lapses', async () => {
    const w = memoryRunbooks({ leaseMs: 30_000 });
    const id = await diedMidStep(w);
    w.clock.advance(29_999);
    await w.runbooks.sweep();
    expect(w.cluster.applied).toEqual([]);
    w.clock.advance(2);
    await w.runbooks.sweep();
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    expect((await w.run(id)).state).toBe('succeeded');
  });

  it('mid-step, after the change landed: the run is interrupted and nothing is applied again', async () => {
    const w = memoryRunbooks();
    const id = await diedMidStep(w, 'scale-service', { replicas: '5' });
    w.cluster.change('shop', 'web', { replicas: 5 });
    w.clock.advance(31_000);
    await w.runbooks.sweep();
    const run = await w.run(id);
    expect(run.state).toBe('interrupted');
    expect(run.outcome).toContain('Interrupted: Firebreak restarted during step 1.');
    expect(w.cluster.applied).toEqual([]);
    expect(shown(w.card(id).notice)).toBe('interrupted');
  });

  it('mid-step, before the change landed, and the incident resolved meanwhile: the next worker applies nothing and the card says why', async () => {
    const w = memoryRunbooks({ leaseMs: 30_000 });
    const id = await diedMidStep(w);
    w.incidents.update(w.incident.id, { status: 'resolved' });
    w.clock.advance(31_000);
    await w.runbooks.sweep();
    const run = await w.run(id);
    expect(run.state).toBe('expired');
    expect(run.outcome).toBe('The incident is resolved; runbooks run only for open incidents.');
    expect(shown(w.card(id).notice)).toBe('expired');
    expect(w.cluster.applied).toEqual([]);
  });

  it('mid-step, before the change landed, and the severity lowered below the playbook’s: nothing is applied', async () => {
    const w = memoryRunbooks({ leaseMs: 30_000 });
    const id = await diedMidStep(w);
    w.incidents.update(w.incident.id, { severity: 'P3' });
    w.clock.advance(31_000);
    await w.runbooks.sweep();
    expect((await w.run(id)).outcome).toBe('restart-service may run only for P0, P1, P2 incidents; this one is P3.');
    expect(w.cluster.applied).toEqual([]);
  });

  it('approved, but carried on only after the approval lapsed (a long outage): nothing is applied and its card says why', async () => {
    const w = memoryRunbooks({ approvalTtlMs: 15 * 60_000 });
    const id = await w.asked();
    await w.click(id, 'approve', IC);
    // The job that carries the step was lost; the sweep finds the action long after the click.
    w.clock.advance(16 * 60_000);
    await w.runbooks.sweep();
    const run = await w.run(id);
    expect(run.state).toBe('expired');
    expect(run.outcome).toBe(
      'The approval is 16m old, past the 15m an approval holds; request the run again for a fresh preview.',
    );
    expect(shown(w.card(id).notice)).toBe('expired');
    expect(w.cluster.applied).toEqual([]);
  });

  it('with nothing left to carry the run on: start-up marks it interrupted', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const token = (await w.run(id)).preview!.token;
    await w.click(id, 'approve', IC);
    const action = (await w.outbox.claim(id, w.clock.now(), ['execute']))!;
    await w.runs.transition(id, ['approved'], 'running', {}, { token, completes: action.id });
    const card = (await w.outbox.claim(id, w.clock.now(), ['card']))!;
    await w.outbox.complete(card.id);
    expect(await w.runbooks.recover()).toBe(1);
    expect((await w.run(id)).state).toBe('interrupted');
    expect(w.runs.events(id).at(-1)).toBe('interrupted');
    expect(w.cluster.applied).toEqual([]);
  });
});
