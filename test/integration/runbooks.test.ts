import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakeKube } from '../../src/playground/kube/server.js';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { REPO } from '../support/paths.js';
import { policyFile } from '../support/policies.js';
import { grantFor } from '../support/rbac.js';
import { runbookDriver } from '../support/runbook-driver.js';

const POLICY = `approvers: [U0SRE00001]
severities:
  P0: { description: Complete outage, warRoom: true }
  P1: { description: Major feature unavailable, warRoom: true }
  P2: { description: Minor feature impact }
  P3: { description: Cosmetic }
`;

/**
 * The bot's token may do exactly what the RBAC generator grants for these (example) playbooks, the
 * same generator that writes manifests/rbac.yaml, so these tests also prove its rules are enough.
 */
const rbacGrant = grantFor('playbooks/examples');
const PLAYBOOKS_DIR = new URL('playbooks/examples', REPO).pathname;

let h: Harness;
let kube: FakeKube;
let id: string;
let room: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const realPatches = () => kube.requests.filter((r) => r.method === 'PATCH' && !r.dryRun);
const dryPatches = () => kube.requests.filter((r) => r.method === 'PATCH' && r.dryRun);
const messages = () => h.slack.channels.get(room)!.messages;
/** The run's current approval card, found by the ts the bot recorded for it. */
const cardOf = async (runId: string) => {
  const ts = (await h.sql.query('SELECT card_ts FROM runbook_runs WHERE id = $1', [runId])).rows[0]?.card_ts as
    | string
    | undefined;
  return ts ? messages().find((m) => m.ts === ts) : undefined;
};
const cardText = async (runId: string) => JSON.stringify((await cardOf(runId))?.blocks ?? '');

const settled = (name: string) =>
  waitFor(
    () => {
      const d = kube.cluster.get('deployments', 'shop', name)!;
      return (
        d.status?.updatedReplicas === d.spec.replicas &&
        d.status?.availableReplicas === d.spec.replicas &&
        d.status?.replicas === d.spec.replicas
      );
    },
    10_000,
    `${name} to settle`,
  );

async function request(text: string, user = 'U0RESPOND1') {
  const reply = await h.reply((await h.command(text, { channel: room, user })).responseUrl, 10_000);
  return { reply, runId: /RUN-[0-9A-F]{8}/.exec(reply)?.[0] };
}

/** The value the card's buttons carry (or carried, before the card was decided): the run and its preview. */
const buttonOf = (card: { ts: string }) => runbookDriver(h, kube, h.sql).buttonOf(card.ts)!;

async function click(runId: string, verdict: 'approve' | 'deny', user: string) {
  const card = (await cardOf(runId))!;
  const responseUrl = `/respond/click-${runId}-${user}-${Math.random()}`;
  return h
    .interact(
      blockAction({
        actionId: `runbook_${verdict}`,
        value: buttonOf(card),
        user,
        channel: room,
        messageTs: card.ts,
        responseUrl: `${h.slack.url}${responseUrl}`,
        triggerId: h.slack.issueTrigger(),
        blockId: `run_${runId}`,
      }),
    )
    .then(() => responseUrl);
}
const state = async (runId: string) =>
  (await h.sql.query('SELECT state FROM runbook_runs WHERE id = $1', [runId])).rows[0]?.state as string;
const audit = async (runId: string) =>
  (await h.sql.query('SELECT event, actor FROM runbook_audit WHERE run_id = $1 ORDER BY id', [runId])).rows;

beforeAll(async () => {
  kube = await new FakeKube().start();
  kube.cluster.stepMs = 20;
  kube.tokens.set('bot-token', rbacGrant);
  kube.cluster.addDeployment('shop', 'web', { image: 'shop/web:41', replicas: 3 });
  kube.cluster.addDeployment('shop', 'cart-api', { image: 'shop/cart:7', replicas: 2 });
  kube.cluster.addDeployment('shop', 'checkout-api', { image: 'shop/checkout:3', replicas: 2 });
  h = await startHarness({
    env: {
      KUBECONFIG: kube.kubeconfig('bot-token'),
      INCIDENT_POLICY: policyFile(POLICY),
      APPROVAL_TTL: '3s',
      PLAYBOOKS_DIR,
    },
  });
  h.slack.addUser('U0SRE00001', 'sre');
  id = /INC-\d{4}-\d{4}-\d{3}/.exec(await h.reply((await h.command('declare P1 Checkout slow')).responseUrl))![0];
  room = (await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id;
  await settled('web');
  await settled('cart-api');
});
afterAll(async () => {
  await h.stop();
  await kube.stop();
});

describe('a mutating step', () => {
  it('is dry-run on the server first and shown for approval; nothing changes yet', async () => {
    const { reply, runId } = await request('run scale-service deployment=web replicas=5');
    expect(reply).toContain('someone other than you');
    const card = await waitFor(() => cardOf(runId!));
    expect(JSON.stringify(card.blocks)).toContain('replicas 3 → 5');
    expect(JSON.stringify(card.blocks)).toContain('runbook_approve');
    expect(dryPatches().some((r) => r.path.includes('/deployments/web/scale'))).toBe(true);
    expect(realPatches()).toHaveLength(0);
    expect(kube.cluster.get('deployments', 'shop', 'web')!.spec.replicas).toBe(3);
    expect(await state(runId!)).toBe('awaiting_approval');
  });

  it('needs someone other than the requester, who is the IC or an approver, checked at click time', async () => {
    const runId = (await h.sql.query(`SELECT id FROM runbook_runs WHERE state = 'awaiting_approval'`)).rows[0]
      .id as string;
    expect(await h.reply(await click(runId, 'approve', 'U0RESPOND1'))).toContain('someone else must approve');
    expect(await h.reply(await click(runId, 'approve', 'U0RESPOND2'))).toContain('Only the incident commander');
    expect(await state(runId)).toBe('awaiting_approval');
    // A rollout slow enough that there is progress to report, on a machine busy with other suites.
    kube.cluster.stepMs = 150;
    await Promise.all([
      click(runId, 'approve', 'U0DECLARER'),
      click(runId, 'approve', 'U0SRE00001'),
      click(runId, 'approve', 'U0DECLARER'),
    ]);
    await waitFor(async () => (await state(runId)) === 'succeeded', 10_000, 'the run to succeed');
    kube.cluster.stepMs = 20;
    expect(realPatches().filter((r) => r.path.includes('/deployments/web/scale'))).toHaveLength(1);
    expect(kube.cluster.get('deployments', 'shop', 'web')!.spec.replicas).toBe(5);
    const card = await cardText(runId);
    expect(card).not.toContain('runbook_approve');
    expect(card).toMatch(/Approved by (dana|sre) /);
    await waitFor(
      async () => (await cardText(runId)).includes('succeeded.') && (await cardText(runId)).includes('*Result*'),
    );
    await waitFor(() => messages().some((m) => m.text.startsWith('Scale a service: succeeded (RUN-')));
    const progress = messages().find((m) =>
      m.text.startsWith('Scale a service: deployment "web" successfully rolled out (RUN-'),
    )!;
    expect(progress).toBeDefined();
    expect(h.slack.callsTo('chat.update').some((c) => c.params.ts === progress.ts)).toBe(true);
    expect((await audit(runId)).map((a) => a.event)).toEqual([
      'requested',
      'dry_run',
      'approved',
      'executed',
      'succeeded',
    ]);
    const timeline = (
      await h.sql.query(
        `SELECT kind FROM timeline WHERE incident_id = $1 AND kind LIKE 'runbook_%' AND data->>'runId' = $2 ORDER BY id`,
        [id, runId],
      )
    ).rows.map((r) => r.kind);
    expect(timeline).toEqual([
      'runbook_requested',
      'runbook_dry_run',
      'runbook_approved',
      'runbook_executed',
      'runbook_succeeded',
    ]);
  });

  it('is refused during the cooldown after a run', async () => {
    const { reply } = await request('run scale-service deployment=web replicas=4');
    expect(reply).toContain('the cooldown has');
  });

  it('can be denied, and nothing changes', async () => {
    const before = realPatches().length;
    // The requester may deny (as may the IC and approvers).
    const { runId } = await request('run restart-service deployment=cart-api', 'U0RESPOND2');
    await waitFor(() => cardOf(runId!));
    await click(runId!, 'deny', 'U0RESPOND2');
    await waitFor(async () => (await state(runId!)) === 'denied');
    await waitFor(async () => (await cardText(runId!)).includes('Denied by ola '));
    expect(realPatches()).toHaveLength(before);
  });

  it('expires unanswered, and a late click is refused', async () => {
    const { runId } = await request('run restart-service deployment=cart-api');
    await waitFor(() => cardOf(runId!));
    await waitFor(async () => (await state(runId!)) === 'expired', 6000, 'the approval to expire');
    expect(await h.reply(await click(runId!, 'approve', 'U0DECLARER'))).toMatch(/expired/);
    await waitFor(async () => (await cardText(runId!)).includes('Expired without a decision'));
  });

  it('stops and asks again if the deployment changed between approval and execution', async () => {
    const { runId } = await request('run restart-service deployment=cart-api');
    await waitFor(() => cardOf(runId!));
    const firstCard = (await cardOf(runId!))!.ts;
    const d = kube.cluster.get('deployments', 'shop', 'cart-api')!;
    kube.cluster.put('deployments', { ...d, spec: { ...d.spec, replicas: 3 } });
    const image = () =>
      kube.cluster.get('deployments', 'shop', 'cart-api')!.spec.template.metadata.annotations?.[
        'kubectl.kubernetes.io/restartedAt'
      ];
    await click(runId!, 'approve', 'U0DECLARER');
    await waitFor(
      async () => (await audit(runId!)).some((a) => a.event === 'changed'),
      8000,
      'the change to be noticed',
    );
    expect(image()).toBeUndefined();
    await waitFor(
      async () => {
        const card = await cardOf(runId!);
        return (await state(runId!)) === 'awaiting_approval' && card && card.ts !== firstCard;
      },
      5000,
      'a fresh approval card',
    );
    expect(await cardText(runId!)).toContain('runbook_approve');
    await click(runId!, 'deny', 'U0DECLARER');
    await waitFor(async () => (await state(runId!)) === 'denied');
  });
});

describe('guards before anything reaches the cluster', () => {
  it('refuses a namespace or deployment outside the allowlist', async () => {
    const before = kube.requests.length;
    expect((await request('run scale-service namespace=kube-system deployment=web replicas=2')).reply).toContain(
      '`namespace=kube-system` is not allowed',
    );
    expect((await request('run scale-service deployment=postgres replicas=2')).reply).toContain(
      '`deployment=postgres` is not allowed',
    );
    expect((await request('run drop-database')).reply).toContain('There is no playbook "drop-database"');
    expect(kube.requests.length).toBe(before);
  });

  it('allows one mutating run per deployment at a time', async () => {
    await sleep(1100);
    const first = await request('run restart-service deployment=checkout-api');
    await waitFor(() => cardOf(first.runId!));
    expect((await request('run memory-leak-mitigation deployment=checkout-api')).reply).toContain(
      'Another runbook is already working on shop/checkout-api',
    );
    await click(first.runId!, 'deny', 'U0DECLARER');
  });
});

describe('rollback, read-only playbooks and failures', () => {
  it('/incident rollback previews revision and image, then rolls back with kubectl’s JSON patch', async () => {
    const d = kube.cluster.get('deployments', 'shop', 'cart-api')!;
    d.spec.template.spec.containers[0].image = 'shop/cart:8';
    kube.cluster.put('deployments', d);
    await settled('cart-api');
    const { runId } = await request('rollback shop/cart-api');
    const card = await waitFor(() => cardOf(runId!));
    expect(JSON.stringify(card.blocks)).toContain('(shop/cart:8) → revision 1 (shop/cart:7)');
    await click(runId!, 'approve', 'U0SRE00001');
    await waitFor(async () => (await state(runId!)) === 'succeeded', 10_000);
    expect(realPatches().at(-1)!.contentType).toBe('application/json-patch+json');
    expect(kube.cluster.get('deployments', 'shop', 'cart-api')!.spec.template.spec.containers[0].image).toBe(
      'shop/cart:7',
    );
  });

  it('runs a read-only playbook without approval and posts what it found', async () => {
    const { runId } = await request('run check-service-health deployment=web');
    await waitFor(async () => (await state(runId!)) === 'succeeded');
    const result = await waitFor(() =>
      messages().find(
        (m) =>
          m.text.startsWith("Check a service's health: succeeded (RUN-") && JSON.stringify(m.blocks).includes(runId!),
      ),
    );
    expect(JSON.stringify(result.blocks)).toContain('5/5 available');
  });

  it('says plainly when the cluster forbids or cannot find (an unreachable API server: kube-cluster.test.ts)', async () => {
    kube.tokens.set('bot-token', {
      verbs: ['get', 'list', 'watch'],
      resources: ['deployments', 'pods', 'replicasets', 'events'],
    });
    await sleep(1100);
    const forbidden = await request('run scale-service deployment=checkout-api replicas=2');
    await waitFor(async () => (await state(forbidden.runId!)) === 'failed');
    await waitFor(() =>
      messages().some(
        (m) =>
          JSON.stringify(m.blocks ?? '').includes('The cluster refused') &&
          JSON.stringify(m.blocks).includes(forbidden.runId!),
      ),
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(
          messages()
            .slice(-3)
            .map((m) => m.blocks),
        )}`,
      );
    });
    kube.tokens.set('bot-token', rbacGrant);
    const missing = await request('run restart-service deployment=payments-api');
    await waitFor(async () => (await state(missing.runId!)) === 'failed');
    const failure = await waitFor(
      async () =>
        (await h.sql.query('SELECT outcome FROM runbook_runs WHERE id = $1', [missing.runId])).rows[0]?.outcome as
          | string
          | undefined,
    );
    expect(failure).toContain('Not found while reading deployment shop/payments-api');
    await waitFor(() =>
      messages().some(
        (m) =>
          m.text.startsWith('Restart a service: failed (RUN-') && JSON.stringify(m.blocks).includes(missing.runId!),
      ),
    );
  });
});

describe('two bot replicas', () => {
  it('execute a step once when two approvers click at the same moment on different replicas', async () => {
    const second = await startHarness({
      slack: h.slack,
      databaseUrl: h.config.databaseUrl,
      env: {
        KUBECONFIG: kube.kubeconfig('bot-token'),
        INCIDENT_POLICY: policyFile(POLICY),
        APPROVAL_TTL: '30s',
        PLAYBOOKS_DIR,
      },
    });
    try {
      await sleep(1100);
      const { runId } = await request('run restart-service deployment=checkout-api', 'U0RESPOND2');
      const card = (await waitFor(() => cardOf(runId!)))!;
      const restarts = () =>
        realPatches().filter(
          (r) => r.path.endsWith('/deployments/checkout-api') && JSON.stringify(r.body).includes('restartedAt'),
        ).length;
      const before = restarts();
      const payload = (user: string) =>
        blockAction({
          actionId: 'runbook_approve',
          value: buttonOf(card),
          user,
          channel: room,
          messageTs: card.ts,
          responseUrl: `${h.slack.url}/respond/r2-${user}`,
          triggerId: h.slack.issueTrigger(),
          blockId: `run_${runId}`,
        });
      await Promise.all([
        h.interact(payload('U0DECLARER')),
        second.interact(payload('U0SRE00001')),
        h.interact(payload('U0SRE00001')),
        second.interact(payload('U0DECLARER')),
      ]);
      await waitFor(async () => (await state(runId!)) === 'succeeded', 10_000);
      expect(restarts()).toBe(before + 1);
      expect((await audit(runId!)).filter((a) => a.event === 'approved')).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});

describe('crash safety', () => {
  it('marks a run that was mid-step as interrupted at start-up, reports it, and re-runs nothing', async () => {
    await h.sql.query(
      `INSERT INTO runbook_runs (id, incident_id, playbook, params, target, requested_by, requested_at, commander, state, step, channel) VALUES ('RUN-DEADBEEF', $1, 'restart-service', '{"namespace":"shop","deployment":"web"}', 'shop/crash', 'U0RESPOND1', now(), 'U0DECLARER', 'running', 0, $2)`,
      [id, room],
    );
    const patchesBefore = realPatches().length;
    const second = await startHarness({
      slack: h.slack,
      databaseUrl: h.config.databaseUrl,
      env: { KUBECONFIG: kube.kubeconfig('bot-token'), INCIDENT_POLICY: policyFile(POLICY), PLAYBOOKS_DIR },
    });
    try {
      expect(await state('RUN-DEADBEEF')).toBe('interrupted');
      await waitFor(() =>
        messages().some((m) =>
          JSON.stringify(m.blocks ?? '').includes('Interrupted: Firebreak restarted during step 1'),
        ),
      );
      expect(realPatches().length).toBe(patchesBefore);
      expect((await audit('RUN-DEADBEEF')).map((a) => a.event)).toEqual(['interrupted']);
    } finally {
      await second.stop();
    }
  });
});
