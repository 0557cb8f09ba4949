import { describe, expect, it } from '@jest/globals';
import { memoryRunbooks, refusal, shown } from '../support/memory/runbooks.js';

const MINUTE = 60_000;
const REQUESTER = 'U0RESPOND1';
const IC = 'U0DECLARER';

describe('a request', () => {
  it('is dry-run on the server and put to approval on a card; nothing changes yet', async () => {
    const w = memoryRunbooks();
    const { run, card, duplicate } = await w.request('scale-service', { deployment: 'web', replicas: '5' });
    expect(duplicate).toBe(false);
    expect(run.state).toBe('awaiting_approval');
    expect(run.preview?.lines).toEqual(['replicas 3 → 5']);
    expect(run.expiresAt).toEqual(new Date(w.clock.now().getTime() + 15 * MINUTE));
    expect(w.cluster.dryRuns).toEqual([{ verb: 'scale', target: 'shop/web' }]);
    expect(w.cluster.applied).toEqual([]);
    expect(card).toEqual({ kind: 'posted' });
    const posted = w.card(run.id);
    expect(posted.channel).toBe('C0WARROOM1');
    expect(posted.ts).toBe(run.cardTs);
    expect(shown(posted.notice)).toBe('awaiting_approval');
    expect(w.timers.prompts).toContainEqual({ kind: 'expire', runId: run.id, at: run.expiresAt });
    expect(w.runs.events(run.id)).toEqual(['requested', 'dry_run']);
    expect(w.incidents.kinds(w.incident.id)).toEqual(['runbook_requested', 'runbook_dry_run']);
  });

  it('repeated with the same key finds the run it made, and previews nothing again', async () => {
    const w = memoryRunbooks();
    const first = await w.request('restart-service', { deployment: 'web' }, REQUESTER, 'trigger-1');
    const again = await w.request('restart-service', { deployment: 'web' }, REQUESTER, 'trigger-1');
    expect(again.duplicate).toBe(true);
    expect(again.run.id).toBe(first.run.id);
    expect(w.cluster.dryRuns).toHaveLength(1);
    expect(w.chat.cards(first.run.id)).toHaveLength(1);
  });

  it('holds its target: another change to the same deployment waits', async () => {
    const w = memoryRunbooks();
    await w.asked();
    expect(await refusal(w.request('scale-service', { deployment: 'web', replicas: '4' }))).toContain(
      'Another runbook is already working on shop/web',
    );
    expect((await w.request('scale-service', { deployment: 'cart-api', replicas: '4' })).run.state).toBe(
      'awaiting_approval',
    );
  });

  it('of a read-only playbook runs at once, needs no approval, and posts what it found', async () => {
    const w = memoryRunbooks();
    const { run } = await w.request('check-health', { deployment: 'cart-api' });
    expect(run.state).toBe('succeeded');
    expect(w.chat.cards(run.id)).toEqual([]);
    const result = w.chat.about(run.id).find((m) => m.notice.kind === 'result')!;
    expect(result.notice).toMatchObject({ ok: true });
    expect(result.notice.kind === 'result' && result.notice.lines).toContain(
      '  cart-api-1-0: Running, ready, 0 restarts',
    );
    expect(w.runs.events(run.id)).toEqual(['requested', 'succeeded']);
  });
});

describe('approval', () => {
  it('needs someone other than the requester: the IC at the time of the request; then the step runs once', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    expect(await refusal(w.click(id, 'approve', REQUESTER))).toContain('someone else must approve');
    expect(await refusal(w.click(id, 'approve', 'U0STRANGER'))).toContain('Only the incident commander');
    expect((await w.run(id)).state).toBe('awaiting_approval');

    const decided = await w.click(id, 'approve', IC);
    expect(decided).toMatchObject({ state: 'approved', decidedBy: IC, decidedAt: w.clock.now() });
    expect(w.cluster.applied).toEqual([]);
    await w.fire();
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    const run = await w.run(id);
    expect(run.state).toBe('succeeded');
    expect(run.outcome).toContain('deployment "web" successfully rolled out');
    expect(w.runs.events(id)).toEqual(['requested', 'dry_run', 'approved', 'executed', 'succeeded']);
    expect(w.runs.trail.find((e) => e.event === 'executed')?.actor).toBe(IC);
    expect(shown(w.card(id).notice)).toBe('succeeded');
    expect(w.chat.about(id).some((m) => m.notice.kind === 'result' && m.notice.ok)).toBe(true);
    expect(w.outbox.open(id)).toEqual([]);
  });

  it('by a listed approver, or a member of a listed group', async () => {
    const w = memoryRunbooks({ approvers: ['U0SRE00001', 'S0ONCALL'] });
    w.chat.groups.set('S0ONCALL', ['U0ONCALL1']);
    const web = await w.asked();
    expect((await w.click(web, 'approve', 'U0SRE00001')).decidedBy).toBe('U0SRE00001');
    const cart = await w.asked('restart-service', { deployment: 'cart-api' });
    expect((await w.click(cart, 'approve', 'U0ONCALL1')).decidedBy).toBe('U0ONCALL1');
  });

  it('under requireApprover, only a listed approver may approve, not even the IC', async () => {
    const w = memoryRunbooks({ approvers: ['U0SRE00001'], requireApprover: true });
    const id = await w.asked();
    expect(await refusal(w.click(id, 'approve', IC))).toContain('Only a listed approver');
    expect((await w.click(id, 'approve', 'U0SRE00001')).state).toBe('approved');
  });

  it('stays with the IC at the time of the request: a later IC may deny, not approve', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.incidents.update(w.incident.id, { roles: { ic: 'U0NEWIC001' } });
    expect(await refusal(w.click(id, 'approve', 'U0NEWIC001'))).toContain('You became incident commander after');
    expect((await w.click(id, 'deny', 'U0NEWIC001')).state).toBe('denied');
  });

  it('can be denied by the requester; nothing changes and the card says so', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const denied = await w.click(id, 'deny', REQUESTER);
    expect(denied).toMatchObject({ state: 'denied', decidedBy: REQUESTER });
    await w.fire();
    expect(w.cluster.applied).toEqual([]);
    expect(shown(w.card(id).notice)).toBe('denied');
    expect(w.runs.events(id)).toEqual(['requested', 'dry_run', 'denied']);
    expect(await w.runs.lastFinished('shop/web')).toBeNull();
  });

  it('expires unanswered: the card loses its buttons and a late click is refused', async () => {
    const w = memoryRunbooks({ approvalTtlMs: 3 * MINUTE });
    const id = await w.asked();
    w.clock.advance(3 * MINUTE - 1);
    await w.fire();
    expect((await w.run(id)).state).toBe('awaiting_approval');
    w.clock.advance(1);
    await w.fire();
    expect((await w.run(id)).state).toBe('expired');
    expect(shown(w.card(id).notice)).toBe('expired');
    expect(await refusal(w.click(id, 'approve', IC))).toMatch(/expired/);
    expect(w.cluster.applied).toEqual([]);
  });

  it('clicked after the expiry but before its timer fired is refused too', async () => {
    const w = memoryRunbooks({ approvalTtlMs: MINUTE });
    const id = await w.asked();
    w.clock.advance(MINUTE + 1);
    expect(await refusal(w.click(id, 'approve', IC))).toContain('This approval request expired');
    expect(w.cluster.applied).toEqual([]);
  });
});

describe('exactly once', () => {
  it('two approvals at the same moment: one decides, the other is told, and the step applies once', async () => {
    const w = memoryRunbooks({ approvers: ['U0SRE00001'] });
    const id = await w.asked();
    const clicks = await Promise.allSettled([w.click(id, 'approve', IC), w.click(id, 'approve', 'U0SRE00001')]);
    expect(clicks.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    const lost = clicks.find((c) => c.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason.message).toMatch(/already decided by (U0DECLARER|U0SRE00001) /);
    await w.fire();
    await w.fire();
    expect(w.cluster.applied).toHaveLength(1);
    expect(w.runs.events(id).filter((e) => e === 'approved')).toHaveLength(1);
  });

  it('a replayed click (the same button again, once decided) changes nothing', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const card = w.card(id);
    await w.click(id, 'approve', IC, card);
    await w.fire();
    expect(await refusal(w.click(id, 'approve', IC, card))).toContain('already decided by U0DECLARER ');
    expect(await refusal(w.click(id, 'deny', REQUESTER, card))).toContain('already decided');
    await w.fire();
    expect(w.cluster.applied).toHaveLength(1);
    expect((await w.run(id)).state).toBe('succeeded');
  });

  it('a click carrying the run from another message (not its card) is refused', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    const card = w.card(id);
    const forged = { ...card, ts: '1767225600.999999' };
    expect(await refusal(w.click(id, 'approve', IC, forged))).toContain(`not on ${id}'s approval card`);
    expect((await w.run(id)).state).toBe('awaiting_approval');
  });

  it('a prompt that fires twice does not apply the step twice', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    await w.click(id, 'approve', IC);
    await Promise.all([w.runbooks.runActions(id), w.runbooks.runActions(id)]);
    await w.fire();
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    expect(w.runs.events(id).filter((e) => e === 'executed')).toHaveLength(1);
  });
});

describe('the guards, checked again at click time', () => {
  it('an incident lowered below the playbook while nobody told the runbooks: the click expires the run', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.incidents.update(w.incident.id, { severity: 'P3' });
    const refused = await refusal(w.click(id, 'approve', IC));
    expect(refused).toContain('restart-service may run only for P0, P1, P2 incidents; this one is P3.');
    expect(refused).toContain(`${id} has expired; nothing was changed.`);
    expect((await w.run(id)).state).toBe('expired');
    expect(shown(w.card(id).notice)).toBe('expired');
    expect(w.cluster.applied).toEqual([]);
  });

  it('the cooldown after a change counts at click time too', async () => {
    const w = memoryRunbooks({ cooldownMs: 0 });
    const first = await w.asked('restart-service', { deployment: 'cart-api' });
    await w.click(first, 'deny', REQUESTER);
    const id = await w.asked('scale-service', { deployment: 'cart-api', replicas: '3' });
    await w.click(id, 'approve', IC);
    await w.fire();
    expect((await w.run(id)).state).toBe('succeeded');
    expect(await refusal(w.request('restart-service', { deployment: 'cart-api' }))).toContain(
      'the cooldown has 10 min to go',
    );
    w.clock.advance(10 * MINUTE);
    expect((await w.request('restart-service', { deployment: 'cart-api' })).run.state).toBe('awaiting_approval');
  });
});

describe('the incident changing', () => {
  it('resolved: its pending runs expire at once and their cards say why', async () => {
    const w = memoryRunbooks();
    const web = await w.asked();
    const cart = await w.asked('restart-service', { deployment: 'cart-api' });
    await w.runbooks.incidentChanged(w.incidents.update(w.incident.id, { status: 'resolved' }));
    for (const id of [web, cart]) {
      const run = await w.run(id);
      expect(run.state).toBe('expired');
      expect(run.outcome).toBe('The incident is resolved; runbooks run only for open incidents.');
      expect(shown(w.card(id).notice)).toBe('expired');
    }
    expect(await refusal(w.click(web, 'approve', IC))).toContain('expired');
    expect(w.cluster.applied).toEqual([]);
  });

  it('a severity the playbook does not run for expires its pending runs; one it still runs for does not', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    await w.runbooks.incidentChanged(w.incidents.update(w.incident.id, { severity: 'P2' }));
    expect((await w.run(id)).state).toBe('awaiting_approval');
    await w.runbooks.incidentChanged(w.incidents.update(w.incident.id, { severity: 'P3' }));
    expect((await w.run(id)).state).toBe('expired');
    expect((await w.run(id)).outcome).toBe('restart-service may run only for P0, P1, P2 incidents; this one is P3.');
  });
});
