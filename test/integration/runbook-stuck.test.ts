import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { FakeKube } from '../../src/playground/kube/server.js';
import { BOT_ID, BOT_USER } from '../../src/playground/slack/workspace.js';
import { createTestDatabase, redisPrefix } from '../support/db.js';
import { type Harness, replyOn, sendCommand, waitFor } from '../support/harness.js';
import { REPO } from '../support/paths.js';
import { policyFile } from '../support/policies.js';
import { BotProcess, OwnRedis } from '../support/processes.js';
import { type RunbookDriver, runbookDriver, settled, startRunbookBench } from '../support/runbook-driver.js';
import { postSigned, SIGNING_SECRET } from '../support/signed.js';

/** No run is ever stuck: every way the issue found to strand one, on a Redis of the test's own. */
const POLICY = `approvers: [U0SRE00001]
severities:
  P1: { description: Major feature unavailable, warRoom: true }
`;
const AL = 'adaptive-learning-production';
const ENV = { CLOCK_SWEEP_EVERY: '1s', EFFECT_LEASE: '2s', RUNBOOK_COOLDOWN: '1s' };

let kube: FakeKube;
let redis: OwnRedis;
let h: Harness;
let run: RunbookDriver;
let bench: Awaited<ReturnType<typeof startRunbookBench>>;

const restarts = (from: number, name: string) =>
  run
    .applied(from)
    .filter((r) => r.path.endsWith(`/deployments/${name}`) && JSON.stringify(r.body).includes('restartedAt'));
const timeline = async (runId: string) =>
  (await h.sql.query(`SELECT kind, text FROM timeline WHERE data->>'runId' = $1 ORDER BY id`, [runId])).rows.map(
    (r) => `${r.kind}: ${r.text}`,
  );

beforeAll(async () => {
  redis = await new OwnRedis().start();
  bench = await startRunbookBench(POLICY, { ...ENV, REDIS_URL: redis.url, APPROVAL_TTL: '6s' });
  ({ h, kube, run } = bench);
  await bench.incident('P1', 'Logins failing');
  await settled(kube.cluster, AL);
  await settled(kube.cluster, 'ai-development');
  await settled(kube.cluster, 'studyteddy-production');
});
afterAll(async () => {
  await bench.stop();
  await redis.kill();
});

describe('no run is ever stuck', () => {
  it('a failed card edit is retried, and never blocks the step', async () => {
    const { runId } = await run.request(`run restart-service namespace=${AL} deployment=user-service`);
    await waitFor(() => run.cardOf(runId!));
    await run.idle();
    h.slack.fail('chat.update', { kind: 'http', status: 500 });
    const from = kube.requests.length;
    await run.click(runId!, 'approve', 'U0DECLARER');
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000, 'the restart');
    expect(restarts(from, 'user-service')).toHaveLength(1);
    await waitFor(async () => (await run.cardText(runId!)).includes('succeeded.'), 5000, 'the card to catch up');
    expect(await timeline(runId!)).toContainEqual(
      expect.stringMatching(
        /^runbook_action_failed: RUN-\w+ restart-service: Updating the run's card failed \(http_500\); retrying/,
      ),
    );
  });

  it('Redis down at click time: the step still runs, once, and its card says so', async () => {
    const { runId } = await run.request(`run restart-service namespace=${AL} deployment=ml-service`);
    await waitFor(() => run.cardOf(runId!));
    await redis.kill();
    try {
      const from = kube.requests.length;
      await run.click(runId!, 'approve', 'U0SRE00001');
      await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000, 'the restart without Redis');
      expect(restarts(from, 'ml-service')).toHaveLength(1);
      await waitFor(async () => (await run.cardText(runId!)).includes('succeeded.'));
    } finally {
      await redis.start();
    }
  });

  it('an expiry lost with Redis is rebuilt from Postgres: the request still expires and its card says so', async () => {
    const { runId } = await run.request(`run restart-service namespace=${AL} deployment=auth-service`);
    await waitFor(() => run.cardOf(runId!));
    await redis.kill();
    await redis.start();
    await waitFor(async () => (await run.state(runId!)) === 'expired', 10_000, 'the expiry after Redis lost it');
    await waitFor(async () => (await run.cardText(runId!)).includes('Expired without a decision'));
    const next = await run.request(`run restart-service namespace=${AL} deployment=auth-service`);
    expect(next.reply).toContain('the dry run is posted');
    await run.click(next.runId!, 'deny', 'U0RESPOND1');
    await waitFor(async () => (await run.state(next.runId!)) === 'denied');
  });

  it('a 429 on the approval card: the requester is told, the card is retried, and the run goes on', async () => {
    await run.idle();
    // Long enough that the retry cannot fall due while the request is still being answered.
    h.slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 2 });
    const { runId, reply } = await run.request(`run restart-service namespace=${AL} deployment=scheduler-service`);
    expect(reply).toContain('the dry run is done, but Slack refused the approval card (`ratelimited`)');
    expect(reply).toContain('Nothing is changed before someone approves');
    expect(await run.cardOf(runId!)).toBeUndefined();
    await waitFor(() => run.cardOf(runId!), 6000, 'the card after Retry-After');
    expect((await run.row(runId!))!.expires_at).toBeTruthy();
    const from = kube.requests.length;
    await run.click(runId!, 'approve', 'U0DECLARER');
    await waitFor(async () => (await run.state(runId!)) === 'succeeded', 15_000);
    expect(restarts(from, 'scheduler-service')).toHaveLength(1);
    expect(await timeline(runId!)).toContainEqual(expect.stringContaining('approval card posted after 2 attempts'));
  });

  it('an approval card Slack will not take: the run is withdrawn, the requester told, the target freed', async () => {
    await run.idle();
    h.slack.fail('chat.postMessage', { kind: 'error', error: 'is_archived' });
    const { runId, reply } = await run.request('run restart-service namespace=ai-development deployment=api-gateway');
    expect(reply).toContain(
      `${runId} was withdrawn: the approval card could not be posted in the war room (Slack said`,
    );
    expect(await run.state(runId!)).toBe('withdrawn');
    await waitFor(() =>
      [...h.slack.channels.values()]
        .filter((c) => c.is_im && c.members.has('U0RESPOND1'))
        .flatMap((c) => c.messages)
        .some((m) =>
          // The DM names the incident by ID, level and title, so it reads on its own in a notification.
          new RegExp(
            `^${runId} was withdrawn: the approval card could not be posted for INC-\\S+ \\(P\\d\\): .+\\. Nothing was changed`,
          ).test(m.text),
        ),
    );
    const again = await run.request('run restart-service namespace=ai-development deployment=api-gateway');
    expect(again.reply).toContain('the dry run is posted');
    await run.click(again.runId!, 'deny', 'U0RESPOND1');
    await waitFor(async () => (await run.state(again.runId!)) === 'denied');
  });
});

describe('a crash right after Approve', () => {
  it('SIGKILL right after Approve: a new process carries the step out once; killed mid-change, the run is interrupted on its own card', async () => {
    const db = await createTestDatabase();
    const env = {
      ...ENV,
      INCIDENT_POLICY: policyFile(POLICY),
      SLACK_BOT_TOKEN: h.slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: h.slack.apiUrl,
      SLACK_BOT_ID: BOT_ID,
      SLACK_BOT_USER_ID: BOT_USER,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redisPrefix(),
      KUBECONFIG: kube.kubeconfig('bot-token'),
      PLAYBOOKS_DIR: new URL('playbooks', REPO).pathname,
      APPROVAL_TTL: '1m',
      LOG_LEVEL: 'warn',
    };
    let proc = await new BotProcess(env).start();
    const bot = {
      slack: h.slack,
      command: (text: string, from = {}) => sendCommand(proc.url, h.slack, text, from),
      interact: (payload: Record<string, unknown>) =>
        postSigned(
          `${proc.url}/slack/events`,
          new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
          'application/x-www-form-urlencoded',
        ),
    };
    const sql = new pg.Pool({ connectionString: db.url, max: 2 });
    sql.on('error', () => undefined);
    const crash = runbookDriver(bot, kube, sql);
    try {
      const reply = await replyOn(h.slack, (await bot.command('declare P1 Crash after approve')).responseUrl);
      const id = /INC-\d{4}-\d{4}-\d{3}/.exec(reply)![0];
      crash.setRoom((await sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id);
      const { runId } = await crash.request(
        'run restart-service namespace=education deployment=education-revenue-engine',
      );
      await waitFor(() => crash.cardOf(runId!));
      const path = /\/namespaces\/education\/deployments\/education-revenue-engine$/;
      kube.hold('GET', path, 4000);
      const from = kube.requests.length;
      await crash.click(runId!, 'approve', 'U0DECLARER');
      // Killed after the approval is recorded and before the change is sent (its read of the deployment is held).
      await waitFor(
        () => kube.requests.slice(from).some((r) => r.method === 'GET' && path.test(r.path)),
        5000,
        'the step to start reading the deployment',
      );
      expect(['approved', 'running']).toContain(await crash.state(runId!));
      await proc.stop('SIGKILL');
      expect(crash.mutations(from)).toHaveLength(0);
      proc = await new BotProcess(env).start();
      await waitFor(async () => (await crash.state(runId!)) === 'succeeded', 20_000, 'the new process to carry it out');
      expect(crash.applied(from).filter((r) => r.path.endsWith('/deployments/education-revenue-engine'))).toHaveLength(
        1,
      );
      await waitFor(async () => (await crash.cardText(runId!)).includes('succeeded.'), 5000, 'its card');

      // Killed while the change itself is in flight: nothing is re-applied by a new process, and the run's own card says so.
      const second = await crash.request(
        'run restart-service namespace=studyteddy-production deployment=backend-production',
      );
      await waitFor(() => crash.cardOf(second.runId!));
      const patch = /\/namespaces\/studyteddy-production\/deployments\/backend-production$/;
      kube.hold('PATCH', patch, 1000);
      const mark = kube.requests.length;
      await crash.click(second.runId!, 'approve', 'U0DECLARER');
      await waitFor(
        async () => kube.requests.slice(mark).some((r) => r.method === 'PATCH' && !r.dryRun && patch.test(r.path)),
        5000,
        'the change to be in flight',
      );
      expect(await crash.state(second.runId!)).toBe('running');
      await proc.stop('SIGKILL');
      proc = await new BotProcess(env).start();
      await waitFor(async () => (await crash.state(second.runId!)) === 'interrupted', 20_000, 'the run to be marked');
      await waitFor(async () =>
        (await crash.cardText(second.runId!)).includes('Interrupted: Firebreak restarted during step 1'),
      );
      expect(crash.mutations(mark)).toHaveLength(1);
    } finally {
      await proc.stop('SIGKILL');
      await sql.end();
      await db.drop();
    }
  }, 60_000);
});
