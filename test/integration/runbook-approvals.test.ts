import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeKube } from '../../src/playground/kube/server.js';
import { type Harness, waitFor } from '../support/harness.js';
import { type RunbookDriver, settled, startRunbookBench } from '../support/runbook-driver.js';

/** The shipped playbooks against the services they name, under exactly manifests/rbac.yaml. */
const POLICY = `approvers: [U0SRE00001]
severities:
  P0: { description: Complete outage, warRoom: true }
  P1: { description: Major feature unavailable, warRoom: true }
  P2: { description: Minor feature impact, warRoom: true }
  P3: { description: Cosmetic, warRoom: true }
`;
const AL = 'adaptive-learning-production';

let h: Harness;
let kube: FakeKube;
let run: RunbookDriver;
let bench: Awaited<ReturnType<typeof startRunbookBench>>;

const replicas = (ns: string, name: string) => kube.cluster.get('deployments', ns, name)!.spec.replicas;
const restartedAt = (ns: string, name: string) =>
  kube.cluster.get('deployments', ns, name)!.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'];
const incident = (severity: string, title: string) => bench.incident(severity, title);

beforeAll(async () => {
  bench = await startRunbookBench(POLICY);
  ({ h, kube, run } = bench);
  h.slack.addUser('U0MALLORY1', 'mallory');
  await incident('P1', 'Adaptive learning logins failing');
  for (const ns of [AL, 'ai-development', 'education']) await settled(kube.cluster, ns);
});
afterAll(() => bench.stop());

describe('an approval binds to the spec that was previewed', () => {
  it('holds through status churn: one click, the change applied once, no second ask', async () => {
    const stop = kube.cluster.churn(AL, 'auth-service', 40);
    try {
      const { runId } = await run.request(`run scale-service namespace=${AL} deployment=auth-service replicas=5`);
      const card = await waitFor(() => run.cardOf(runId!));
      expect(run.textOf(card)).toContain('replicas 2 → 5');
      const rv = kube.cluster.get('deployments', AL, 'auth-service')!.metadata.resourceVersion;
      await waitFor(
        () => Number(kube.cluster.get('deployments', AL, 'auth-service')!.metadata.resourceVersion) > Number(rv) + 3,
        3000,
        'status writes while the approval waits',
      );
      const from = kube.requests.length;
      await run.click(runId!, 'approve', 'U0DECLARER');
      await waitFor(() => run.applied(from).length > 0, 5000, 'the scale to be applied');
      stop();
      await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000, 'the scale to finish');
      expect(run.applied(from).filter((r) => r.path.endsWith('/deployments/auth-service/scale'))).toHaveLength(1);
      // A status write racing the patch is retried on a fresh read (RetryOnConflict): refused, never applied twice.
      expect(run.mutations(from).every((r) => r.status === 200 || r.status === 409)).toBe(true);
      expect(replicas(AL, 'auth-service')).toBe(5);
      expect((await run.audit(runId!)).map((a) => a.event)).not.toContain('changed');
      expect(
        h.slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).startsWith('Approval needed')),
      ).toHaveLength(1);
    } finally {
      stop();
    }
  });

  it('a spec changed from outside (kubectl scale) applies nothing; the old card says why and a new preview asks again', async () => {
    const { runId } = await run.request(`run restart-service namespace=${AL} deployment=ml-service`);
    const first = (await waitFor(() => run.cardOf(runId!)))!;
    await kube.scale(AL, 'ml-service', 4);
    const from = kube.requests.length;
    await run.click(runId!, 'approve', 'U0SRE00001');
    const second = await waitFor(async () => {
      const card = await run.cardOf(runId!);
      const asking = (await run.state(runId!)) === 'awaiting_approval';
      return card && card.ts !== first.ts && asking ? card : undefined;
    });
    expect(run.mutations(from)).toHaveLength(0);
    expect(restartedAt(AL, 'ml-service')).toBeUndefined();
    const reason = 'replicas 2 → 4 changed by someone else after the preview';
    await waitFor(() => run.textOf(run.messages().find((m) => m.ts === first.ts)).includes(`Not run: ${reason}`));
    expect(run.textOf(run.messages().find((m) => m.ts === first.ts))).not.toContain('runbook_approve');
    expect(run.textOf(second)).toContain(`*New preview.* The earlier one was not run: ${reason}`);
    expect(run.textOf(second)).toContain('runbook_approve');
    expect(run.buttonOf(second.ts)).not.toBe(run.buttonOf(first.ts));

    // The first click, replayed, does not approve the preview nobody clicked.
    const replay = await run.click(runId!, 'approve', 'U0SRE00001', { ts: first.ts, value: run.buttonOf(first.ts) });
    expect(await h.reply(replay)).toContain(`That button belongs to an earlier preview of ${runId}, which was not run`);
    // Nor does the current button clicked from another channel, or on another message.
    const elsewhere = await run.click(runId!, 'approve', 'U0SRE00001', {
      channel: h.slack.channelByName('general')!.id,
    });
    expect(await h.reply(elsewhere)).toContain(`That button is not on ${runId}'s approval card`);
    const other = await run.click(runId!, 'approve', 'U0SRE00001', { ts: first.ts, value: run.buttonOf(second.ts) });
    expect(await h.reply(other)).toContain(`That button is not on ${runId}'s approval card`);
    expect(await run.state(runId!)).toBe('awaiting_approval');
    expect(run.mutations(from)).toHaveLength(0);

    await run.click(runId!, 'approve', 'U0SRE00001');
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000, 'the restart');
    expect(run.applied(from)).toHaveLength(1);
    expect(restartedAt(AL, 'ml-service')).toBeTruthy();
  });

  it('pins the rollback target: an edited ReplicaSet applies nothing and is shown in a new preview', async () => {
    const ns = 'education';
    const d = kube.cluster.get('deployments', ns, 'education-revenue-engine')!;
    d.spec.template.spec.containers[0].image = 'edu/revenue-engine:5.3.0';
    kube.cluster.put('deployments', d);
    await settled(kube.cluster, ns);
    const { runId } = await run.request(`rollback ${ns}/education-revenue-engine`);
    const first = (await waitFor(() => run.cardOf(runId!)))!;
    expect(run.textOf(first)).toContain('(edu/revenue-engine:5.3.0) → revision 1 (edu/revenue-engine:5.2.0)');
    const target = kube.cluster
      .list('replicasets', ns)
      .find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
    kube.cluster.editReplicaSet(ns, target.metadata.name, (t) => {
      t.spec.containers[0].image = 'attacker/miner:latest';
    });
    const from = kube.requests.length;
    await run.click(runId!, 'approve', 'U0DECLARER');
    const second = await waitFor(async () => {
      const card = await run.cardOf(runId!);
      return card && card.ts !== first.ts ? card : undefined;
    });
    expect(run.mutations(from)).toHaveLength(0);
    expect(
      kube.cluster.get('deployments', ns, 'education-revenue-engine')!.spec.template.spec.containers[0].image,
    ).toBe('edu/revenue-engine:5.3.0');
    const why = `ReplicaSet ${target.metadata.name} (revision 1) was edited after the preview (image edu/revenue-engine:5.2.0 → attacker/miner:latest)`;
    await waitFor(() => run.textOf(run.messages().find((m) => m.ts === first.ts)).includes(why));
    expect(run.textOf(second)).toContain(why);
    expect(run.textOf(second)).toContain('revision 1 (attacker/miner:latest)');
    await run.click(runId!, 'deny', 'U0DECLARER');
    await waitFor(async () => (await run.state(runId!)) === 'denied');
    expect(run.mutations(from)).toHaveLength(0);
  });
});

describe('who may approve, and the guards checked again at click time', () => {
  it('naming yourself IC does not make you an approver of a run already pending', async () => {
    const { runId } = await run.request(`run restart-service namespace=${AL} deployment=scheduler-service`);
    await waitFor(() => run.cardOf(runId!));
    const room = (await run.row(runId!))!.channel as string;
    await h.reply((await h.command('role ic <@U0MALLORY1>', { channel: room, user: 'U0MALLORY1' })).responseUrl);
    const from = kube.requests.length;
    const refused = await run.click(runId!, 'approve', 'U0MALLORY1');
    expect(await h.reply(refused)).toContain(
      'You became incident commander after this run was requested; it stays with the IC at the time (<@U0DECLARER>)',
    );
    expect(await run.state(runId!)).toBe('awaiting_approval');
    expect(run.mutations(from)).toHaveLength(0);
    await run.click(runId!, 'approve', 'U0DECLARER');
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000);
    expect(run.applied(from)).toHaveLength(1);
  });

  it('resolving the incident expires its pending runs; their cards say so, and a late click is refused', async () => {
    const id = await incident('P1', 'StudyTeddy backend slow');
    await settled(kube.cluster, 'studyteddy-production');
    const { runId } = await run.request(
      'run scale-service namespace=studyteddy-production deployment=backend-production replicas=10',
    );
    await waitFor(() => run.cardOf(runId!));
    const value = run.buttonOf((await run.cardOf(runId!))!.ts);
    await h.reply((await h.command(`resolve ${id} fixed upstream`)).responseUrl);
    await waitFor(async () => (await run.state(runId!)) === 'expired', 5000, 'the run to expire');
    await waitFor(async () =>
      (await run.cardText(runId!)).includes(
        'Expired before it ran: The incident is resolved; runbooks run only for open incidents. Nothing was changed.',
      ),
    );
    const late = await run.click(runId!, 'approve', 'U0DECLARER', { value });
    expect(await h.reply(late)).toMatch(/expired|already decided/);
    expect(replicas('studyteddy-production', 'backend-production')).toBe(3);
  });

  it('lowering the severity below the playbook’s expires its pending runs', async () => {
    await incident('P1', 'AI gateway errors');
    const { runId } = await run.request('run restart-service namespace=ai-development deployment=auth-service');
    await waitFor(() => run.cardOf(runId!));
    const room = (await run.row(runId!))!.channel as string;
    await h.reply((await h.command('severity P3', { channel: room })).responseUrl);
    await waitFor(async () => (await run.state(runId!)) === 'expired', 5000, 'the run to expire');
    await waitFor(async () =>
      (await run.cardText(runId!)).includes(
        'Expired before it ran: restart-service may run only for P0, P1, P2 incidents; this one is P3. Nothing was changed.',
      ),
    );
    expect(restartedAt('ai-development', 'auth-service')).toBeUndefined();
  });

  it('/incident run is idempotent on the trigger ID: a repeated delivery starts nothing new', async () => {
    await incident('P1', 'Gateway limits');
    const trigger = h.slack.issueTrigger();
    const first = await run.request(
      'run restart-service namespace=ai-development deployment=api-gateway',
      'U0RESPOND1',
      trigger,
    );
    const again = await run.request(
      'run restart-service namespace=ai-development deployment=api-gateway',
      'U0RESPOND1',
      trigger,
    );
    expect(again.runId).toBe(first.runId);
    expect(again.reply).toContain('this was a repeated delivery of your command; nothing new was started');
    expect(
      (await h.sql.query(`SELECT count(*)::int AS n FROM runbook_runs WHERE target = 'ai-development/api-gateway'`))
        .rows[0].n,
    ).toBe(1);
    await run.click(first.runId!, 'deny', 'U0RESPOND1');
    await waitFor(async () => (await run.state(first.runId!)) === 'denied');
  });
});
