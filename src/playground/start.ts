import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import type { PlaygroundSettings } from '../config-playground.js';
import { rbacManifest } from '../kube/permissions.js';
import type { Logger } from '../log.js';
import { createActs } from './acts.js';
import { grantFrom } from './kube/rbac.js';
import { FakeKube } from './kube/server.js';
import { servePage } from './page-server.js';
import { pageState } from './page-state.js';
import { FakePagerDuty, PD_FROM, PD_TOKEN } from './pagerduty/server.js';
import { seedFromPlaybooks, settled } from './seed.js';
import { prepareServices } from './services.js';
import { blockRuleProblems } from './slack/block-rules.js';
import { serveSlack } from './slack/front.js';
import { createReplies } from './slack/replies.js';
import { BOT_ID, BOT_USER, SlackWorkspace } from './slack/workspace.js';

/** The people of the playground's workspace, and the part each plays in an incident. */
export const PEOPLE = [
  { id: 'U0PLAYIC01', name: 'dana', role: 'incident commander' },
  { id: 'U0PLAYRQ01', name: 'remy', role: 'requester' },
  { id: 'U0PLAYAP01', name: 'ola', role: 'approver' },
  { id: 'U0PLAYRS01', name: 'sam', role: 'responder' },
] as const;

const APPROVER = 'U0PLAYAP01';
const KUBE_TOKEN = 'firebreak-playground';

/** How long the simulated deployment controller takes per pod, so a rollout can be watched. */
const STEP_MS = 700;

/** A running playground: the page's URL, and a stop that drains the bot and closes every emulator. */
export interface Playground {
  readonly url: string;
  /** Drains the bot within `budgetMs`, then closes the page and the emulators; true when nothing was left. */
  stop(budgetMs?: number): Promise<boolean>;
}

/** The bot, as main.ts starts it; the playground only supplies its configuration. */
export type StartBot = (config: Config) => Promise<{ readonly url: string; stop(budgetMs?: number): Promise<boolean> }>;

/**
 * Starts the playground: checks Postgres and Redis (and makes its database),
 * then a local Slack workspace, a simulated cluster seeded with the services
 * the playbooks name, and a local PagerDuty; then the real bot against them,
 * over its real signed HTTP endpoint; then the page on 127.0.0.1. Logs one
 * line with the page's URL.
 */
export async function startPlayground(
  settings: PlaygroundSettings,
  startBot: StartBot,
  log: Logger,
): Promise<Playground> {
  await prepareServices(settings);
  const workspace = new SlackWorkspace();
  for (const p of PEOPLE) workspace.addUser(p.id, p.name);
  workspace.addUser(BOT_USER, 'firebreak');
  workspace.addChannel('incidents', [BOT_USER, ...PEOPLE.map((p) => p.id)]);
  workspace.addChannel(
    'general',
    PEOPLE.map((p) => p.id),
  );
  // Slack checks blocks against its schema too; the playground checks the rules the schema leaves out.
  const validation = {
    messageBlocks: (blocks: unknown) =>
      Array.isArray(blocks) ? blockRuleProblems(blocks, 50) : ['blocks must be a list'],
    modal: (view: unknown) => {
      const blocks = (view as { blocks?: unknown } | undefined)?.blocks;
      return Array.isArray(blocks) ? blockRuleProblems(blocks, 100) : ['a view needs blocks'];
    },
  };
  const replies = createReplies(workspace, validation);
  const token = `xoxb-playground-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(16).toString('hex');
  const slack = await serveSlack({ workspace, validation, token, replies });
  const kube = await new FakeKube().start();
  const routingKey = randomBytes(16).toString('hex');
  const pagerduty = await new FakePagerDuty([routingKey]).start();

  const config = loadConfig({
    ...settings.botEnv,
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: `${slack.url}/api/`,
    SLACK_BOT_ID: BOT_ID,
    SLACK_BOT_USER_ID: BOT_USER,
    SLACK_PACING: 'off',
    PORT: '0',
    // The bot's own endpoint, like the page, answers only this machine.
    HOST: '127.0.0.1',
    KUBECONFIG: kube.kubeconfig(KUBE_TOKEN),
    PAGERDUTY_ROUTING_KEY: routingKey,
    PAGERDUTY_TOKEN: PD_TOKEN,
    PAGERDUTY_FROM: PD_FROM,
    PAGERDUTY_API_URL: pagerduty.apiUrl,
    PAGERDUTY_EVENTS_URL: pagerduty.eventsUrl,
  });
  // Without a policy of the user's own, the approver is listed, so a second person can approve a run.
  const policy = settings.botEnv.INCIDENT_POLICY
    ? config.policy
    : { ...config.policy, approvers: [...config.policy.approvers, APPROVER] };
  // The bot may do in the simulated cluster what the RBAC generated from the playbooks grants it, no more.
  kube.tokens.set(KUBE_TOKEN, grantFrom(rbacManifest(config.runbooks.playbooks.values())));
  kube.metricsServer = true;
  kube.cluster.stepMs = 10;
  seedFromPlaybooks(kube.cluster, config.runbooks.playbooks.values());
  for (let waited = 0; !settled(kube.cluster) && waited < 5000; waited += 20)
    await new Promise((r) => setTimeout(r, 20));
  kube.cluster.stepMs = STEP_MS;

  const bot = await startBot({ ...config, policy });
  const acts = createActs({
    workspace,
    replies,
    botUrl: () => bot.url,
    signingSecret,
    slackUrl: () => slack.url,
  });
  const roles = new Map<string, string>(PEOPLE.map((p) => [p.id, p.role]));
  const page = await servePage(
    settings.port,
    acts,
    () => pageState({ workspace, replies, cluster: kube.cluster, pagerduty, roles }),
    (id) => (workspace.files.get(id)?.completed ? workspace.files.get(id)?.content : undefined),
  );
  log.info(
    { url: page.url },
    `playground: open ${page.url} (no Slack settings, so a local Slack workspace, cluster and PagerDuty stand in)`,
  );
  return {
    url: page.url,
    async stop(budgetMs) {
      await page.close();
      const clean = await bot.stop(budgetMs);
      await Promise.all([slack.close(), kube.stop(), pagerduty.stop()]);
      return clean;
    },
  };
}
