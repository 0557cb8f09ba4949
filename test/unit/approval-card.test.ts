import { describe, expect, it } from '@jest/globals';
import type { Run } from '../../src/runbook/run.js';
import { approversToPing, renderApproval } from '../../src/slack/approval-blocks.js';
import type { Names } from '../../src/slack/mentions.js';
import { messageBlockProblems } from '../support/fake-slack/block-kit.js';
import { memoryRunbooks } from '../support/memory/runbooks.js';

const IC = 'U0DECLARER';
const REQUESTER = 'U0RESPOND1';
const names: Names = { of: (id) => ({ U0DECLARER: 'dana', U0RESPOND1: 'remy', U0SRE00001: 'sre' })[id] ?? id };
const ctx = { names, approvers: ['U0SRE00001', 'S0SREGRP01'], requireApprover: false };

async function asked(playbook: string, args: Record<string, string>, requester = REQUESTER): Promise<Run> {
  const w = memoryRunbooks();
  const { run } = await w.request(playbook, args, requester);
  expect(run.state).toBe('awaiting_approval');
  return run;
}

describe('the approval card', () => {
  it('asks the question with the change from → to and states the consequence in plain text', async () => {
    const run = await asked('scale-service', { deployment: 'web', replicas: '5' });
    const incident = { id: run.incidentId, severity: 'P1', title: 'Checkout <down> & slow', drill: false };
    const card = renderApproval(run, 'Scale a service', run.preview!, ctx, incident);
    expect(messageBlockProblems(card.blocks)).toEqual([]);
    expect((card.blocks[0] as { text: { text: string } }).text.text).toBe(
      ':warning: Approve scaling shop/web? replicas 3 → 5',
    );
    const approve = (
      card.blocks.find((b) => b.type === 'actions') as unknown as { elements: Record<string, unknown>[] }
    ).elements[0]!;
    expect(approve.confirm).toMatchObject({
      text: { type: 'plain_text', text: 'Sets shop/web to 5 replicas now.' },
      style: 'danger',
    });
    expect(card.text).toMatch(/^Approval needed: Approve scaling shop\/web\? replicas 3 → 5 remy asked \(RUN-/);
    // A push notification names the incident by ID, level and title, and who must act.
    expect(card.text).toContain(`to run Scale a service for ${run.incidentId} (P1): Checkout &lt;down&gt; &amp; slow;`);
    expect(card.text).toMatch(/you are asked to approve or deny by <!date\^\d+\^\{time\}\|[^>]+>\.$/);
  });

  it('pings the IC and every approver, user groups included, never the requester', async () => {
    const run = await asked('restart-service', { deployment: 'web' });
    expect(approversToPing(run, ctx)).toEqual(['<@U0DECLARER>', '<@U0SRE00001>', '<!subteam^S0SREGRP01>']);
    const text = JSON.stringify(renderApproval(run, 'Restart', run.preview!, ctx).blocks);
    expect(text).toContain('Requested by remy');
    expect(text).not.toContain(`<@${REQUESTER}>`);
    const byIc = await asked('restart-service', { deployment: 'web' }, IC);
    expect(approversToPing(byIc, ctx)).toEqual(['<@U0SRE00001>', '<!subteam^S0SREGRP01>']);
  });

  it('asks only listed approvers when the policy requires one', async () => {
    const run = await asked('restart-service', { deployment: 'web' });
    expect(approversToPing(run, { ...ctx, requireApprover: true })).toEqual(['<@U0SRE00001>', '<!subteam^S0SREGRP01>']);
  });

  it('pings whoever approved a step that is asked again, first', async () => {
    const run = await asked('restart-service', { deployment: 'web' });
    const again: Run = {
      ...run,
      decidedBy: 'U0SRE00001',
      preview: { ...run.preview!, replaces: 'replicas 3 → 4 changed by someone else after the preview' },
    };
    expect(approversToPing(again, ctx)).toEqual(['<@U0SRE00001>', '<@U0DECLARER>', '<!subteam^S0SREGRP01>']);
  });
});
