import pg from 'pg';
import { FakeKube } from '../../src/playground/kube/server.js';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { createTestDatabase } from './db.js';
import { SHIPPED_DIAG_ENV } from './diag-env.js';
import { FakeSlack } from './fake-slack/server.js';
import { botEnv, replyOn, sendCommand, waitFor } from './harness.js';
import { policyFile } from './policies.js';
import { shippedGrant } from './rbac.js';
import { seedServices, settled } from './runbook-driver.js';
import { postSigned } from './signed.js';
import type { Ping } from './slack-attention.js';

/** The people of the scripted P1. */
export const P1_PEOPLE = {
  /** Declares, stays incident commander, posts the updates and resolves. */
  ic: 'U0DECLARER',
  /** Named technical lead; asks for the rollback. */
  lead: 'U0RESPOND1',
  /** The first escalation step. */
  em: 'U0EM000001',
  /** The second escalation step is this user group. */
  vpGroup: 'S0VPGROUP1',
  vps: ['U0VP000001', 'U0VP000002'],
  /** The policy's approvers: one person and one user group. */
  sre: 'U0SRE00001',
  sreGroup: 'S0SREGRP01',
  sres: ['U0SRE00002'],
} as const;

/** Updates every 5 s, escalation after 2 s (a person) and 3 s (a group), approvers a person and a group. */
export const P1_POLICY = `approvers: [${P1_PEOPLE.sre}, ${P1_PEOPLE.sreGroup}]
severities:
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 5s
    escalation:
      - { after: 2s, notify: [${P1_PEOPLE.em}] }
      - { after: 3s, notify: [${P1_PEOPLE.vpGroup}] }
  P2: { description: Minor feature impact, warRoom: true }
`;

/** The title and texts people type: emoji shortcodes and underscores must reach readers intact. */
export const P1_TEXT = {
  title: 'Checkout fails for EU cards on checkout_v2',
  update1: 'card_processor timeouts since the 14:02 deploy :fire: next: roll back the revenue engine eta: 20m',
  update2: 'monitoring rolled back; error rate back to normal :white_check_mark:',
  resolution: 'rolled back education_revenue to 5.2.0',
};

/** A bot the script drives: where it listens, and how to stop it. */
export interface BotUnderTest {
  readonly url: string;
  stop(): Promise<unknown>;
}

/** Starts a bot (this build or another) with this environment. */
export type BootBot = (env: Record<string, string>) => Promise<BotUnderTest>;

/** What a scripted P1 leaves behind for inspection. */
export interface P1Run {
  readonly slack: FakeSlack;
  readonly incidentId: string;
  readonly room: string;
  /** The incident's row once the run settled. */
  readonly row: Record<string, unknown>;
  /** Milliseconds from the declaration to the postmortem's reply. */
  readonly tookMs: number;
}

/** Steps a caller may add (clicks only the new build offers), each given the run so far. */
export interface P1Hooks {
  /** After both reminders were posted and both escalation steps fired, before anyone acknowledges. */
  afterReminders?(ctx: P1Context): Promise<void>;
  /** After the second update, before the resolve. */
  beforeResolve?(ctx: P1Context): Promise<void>;
  /** After the incident is resolved, before the postmortem. */
  afterResolve?(ctx: P1Context): Promise<void>;
}

/** What a hook can drive. */
export interface P1Context {
  readonly slack: FakeSlack;
  readonly sql: pg.Pool;
  readonly incidentId: string;
  readonly room: string;
  command(text: string, user: string, channel?: string): Promise<string>;
  click(action: string, value: string, user: string, channel: string, ts: string, blockId?: string): Promise<string>;
}

/**
 * A P1 from declaration to postmortem, as people would run it, against the fake Slack
 * (which records every call) and a fake cluster: declare, name a lead, two missed
 * updates with their reminders, two escalation steps (a person, then a user group), an
 * acknowledgement, an update, a rollback asked by the lead and approved by an SRE, a
 * second update, the resolve and the postmortem. Waits only on what Slack and Postgres
 * show, so the same script runs against an earlier build of the bot.
 */
export async function scriptedP1(boot: BootBot, hooks: P1Hooks = {}): Promise<P1Run> {
  const slack = await new FakeSlack().start();
  const kube = await new FakeKube().start();
  kube.cluster.stepMs = 10;
  kube.tokens.set('bot-token', shippedGrant());
  seedServices(kube.cluster);
  for (const [id, name] of [
    [P1_PEOPLE.em, 'em'],
    [P1_PEOPLE.vps[0], 'vp'],
    [P1_PEOPLE.vps[1], 'vp2'],
    [P1_PEOPLE.sre, 'sre'],
    [P1_PEOPLE.sres[0], 'sre2'],
  ] as const)
    slack.addUser(id, name);
  slack.usergroups.set(P1_PEOPLE.vpGroup, [...P1_PEOPLE.vps]);
  slack.usergroups.set(P1_PEOPLE.sreGroup, [...P1_PEOPLE.sres]);
  const ns = 'education';
  const deployment = kube.cluster.get('deployments', ns, 'education-revenue-engine')!;
  deployment.spec.template.spec.containers[0].image = 'edu/revenue-engine:5.3.0';
  kube.cluster.put('deployments', deployment);
  await settled(kube.cluster, ns);

  const db = await createTestDatabase();
  const sql = new pg.Pool({ connectionString: db.url, max: 2 });
  sql.on('error', () => undefined);
  const bot = await boot(
    botEnv(slack, db.url, {
      PORT: '0',
      LOG_LEVEL: 'warn',
      SLACK_PACING: 'off',
      ...SHIPPED_DIAG_ENV,
      KUBECONFIG: kube.kubeconfig('bot-token'),
      INCIDENT_POLICY: policyFile(P1_POLICY),
      RUNBOOK_COOLDOWN: '1s',
    }),
  );
  let clicks = 0;
  const command = async (text: string, user: string, channel?: string) => {
    const sent = await sendCommand(bot.url, slack, text, { user, ...(channel && { channel }) });
    return replyOn(slack, sent.responseUrl, 15_000);
  };
  const click = async (action: string, value: string, user: string, channel: string, ts: string, blockId?: string) => {
    const responsePath = `/respond/p1-click-${++clicks}`;
    const payload = blockAction({
      actionId: action,
      value,
      user,
      channel,
      messageTs: ts,
      responseUrl: `${slack.url}${responsePath}`,
      triggerId: slack.issueTrigger(),
      ...(blockId && { blockId }),
    });
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    await postSigned(`${bot.url}/slack/events`, body, 'application/x-www-form-urlencoded');
    return responsePath;
  };
  const row = async (id: string) => (await sql.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
  const count = async (id: string, kind: string) =>
    Number(
      (await sql.query('SELECT count(*) AS n FROM timeline WHERE incident_id = $1 AND kind = $2', [id, kind])).rows[0]
        .n,
    );
  const settle = (id: string) =>
    waitFor(
      async () =>
        Number(
          (
            await sql.query(
              `SELECT (SELECT count(*) FROM effects WHERE incident_id = $1 AND state IN ('pending', 'running'))
                    + (SELECT count(*) FROM runbook_actions WHERE state IN ('pending', 'running')) AS n`,
              [id],
            )
          ).rows[0].n,
        ) === 0,
      15_000,
      'the Slack side to settle',
    );

  try {
    const started = Date.now();
    const declared = await command(`declare P1 ${P1_TEXT.title}`, P1_PEOPLE.ic);
    const incidentId = /INC-\d{4}-\d{4}-\d{3}/.exec(declared)![0];
    const room = await waitFor(async () => (await row(incidentId))?.channel_id as string | null, 10_000, 'the room');
    await settle(incidentId);
    const ctx: P1Context = { slack, sql, incidentId, room, command, click };
    await command(`role lead <@${P1_PEOPLE.lead}>`, P1_PEOPLE.ic, room);
    await waitFor(async () => (await row(incidentId)).escalated.length === 2, 10_000, 'both escalation steps');
    await waitFor(async () => (await count(incidentId, 'update_overdue')) === 2, 15_000, 'two missed updates');
    await settle(incidentId);
    await hooks.afterReminders?.(ctx);
    if (!(await row(incidentId)).acked_at) await command('ack', P1_PEOPLE.em, room);
    await command(`update ${P1_TEXT.update1}`, P1_PEOPLE.ic, room);
    const asked = await command('rollback education/education-revenue-engine', P1_PEOPLE.lead, room);
    const runId = /RUN-[0-9A-F]{8}/.exec(asked)![0];
    const run = async () => (await sql.query('SELECT * FROM runbook_runs WHERE id = $1', [runId])).rows[0];
    const cardTs = await waitFor(async () => (await run()).card_ts as string | null, 10_000, 'the approval card');
    const shown = slack.calls.findLast(
      (c) => c.method === 'chat.postMessage' && c.response.ts === cardTs && c.response.ok === true,
    )!;
    const actions = (shown.params.blocks as { type: string; elements?: { action_id: string; value: string }[] }[])
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? []);
    const approve = actions.find((e) => e.action_id === 'runbook_approve')!;
    await click('runbook_approve', approve.value, P1_PEOPLE.sre, room, cardTs, `run_${runId}`);
    await waitFor(async () => (await run()).state === 'succeeded', 20_000, 'the rollback');
    await command(`update ${P1_TEXT.update2}`, P1_PEOPLE.ic, room);
    await hooks.beforeResolve?.(ctx);
    await command(`resolve ${P1_TEXT.resolution}`, P1_PEOPLE.ic, room);
    await settle(incidentId);
    await hooks.afterResolve?.(ctx);
    await command('postmortem', P1_PEOPLE.ic, room);
    const tookMs = Date.now() - started;
    await settle(incidentId);
    return { slack, incidentId, room, row: await row(incidentId), tookMs };
  } finally {
    await bot.stop();
    await sql.end();
    await slack.stop();
    await kube.stop();
    await db.drop();
  }
}

/**
 * Why a ping of the scripted P1 is wanted: someone who must act now (the IC on a due update,
 * an escalation step's people, whoever can approve the waiting rollback). Anything else is
 * noise, described as `unwanted: …`.
 */
export function pingReason(p: Ping, incidentId: string): string {
  const text = p.post.text;
  if (text.startsWith(`Update due for ${incidentId}`) && p.user === P1_PEOPLE.ic) return 'IC on a due update';
  const targets: string[] = [P1_PEOPLE.em, ...P1_PEOPLE.vps];
  if (text.includes(`Escalation: ${incidentId}`) && !p.post.dm && targets.includes(p.user)) return 'escalation target';
  const approvers: string[] = [P1_PEOPLE.ic, P1_PEOPLE.sre, ...P1_PEOPLE.sres];
  if (text.startsWith('Approval needed') && approvers.includes(p.user)) return 'approver of a waiting step';
  return `unwanted: ${p.user} in "${text.slice(0, 60)}"`;
}
