import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { BOT_ID, BOT_USER } from '../../src/playground/slack/workspace.js';
import { createTestDatabase, redisPrefix } from '../support/db.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { replyOn, sendCommand, startHarness, waitFor } from '../support/harness.js';
import { policyFile } from '../support/policies.js';
import { BotProcess, OwnRedis } from '../support/processes.js';
import { SIGNING_SECRET } from '../support/signed.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

let slack: FakeSlack;
let redis: OwnRedis;
const policy = policyFile();
beforeAll(async () => {
  redis = await new OwnRedis().start();
});
afterAll(async () => {
  await redis.kill();
});
/** Each test gets a Slack of its own: incident IDs restart at 001 in each test's database. */
beforeEach(async () => {
  slack = await new FakeSlack().start();
  slack.addUser('U0EM000001', 'em');
  slack.addUser('U0VP000001', 'vp');
});
afterEach(async () => {
  await slack.stop();
});

const reminders = (id: string) =>
  [...slack.channels.values()].flatMap((c) => c.messages).filter((m) => m.text.startsWith(`Update due for ${id} `));
const escalations = (id: string) =>
  [...slack.channels.values()]
    .filter((c) => !c.is_im)
    .flatMap((c) => c.messages)
    .filter((m) => m.text.includes(`Escalation: ${id}`));

/** Every reminder on the timeline was posted exactly once, and no due time was reminded twice. */
async function expectExactlyOnce(sql: pg.Pool, id: string): Promise<number> {
  const { rows } = await sql.query(
    `SELECT data->>'due' AS due FROM timeline WHERE incident_id = $1 AND kind = 'update_overdue' ORDER BY id`,
    [id],
  );
  const dues = rows.map((r) => r.due as string);
  expect(new Set(dues).size).toBe(dues.length);
  await waitFor(() => reminders(id).length === dues.length, 3000, 'posted reminders to match the timeline').catch(
    async (err: unknown) => {
      const effects = await sql.query(
        `SELECT id, kind, state, attempts, spec->'notice'->>'kind' AS notice, last_error FROM effects WHERE incident_id = $1 ORDER BY id`,
        [id],
      );
      throw new Error(
        `${(err as Error).message}: ${reminders(id).length} posted, ${dues.length} on the timeline ${JSON.stringify(dues)} ${JSON.stringify(effects.rows)}`,
      );
    },
  );
  const escalated = Number(
    (await sql.query(`SELECT count(*) n FROM timeline WHERE incident_id = $1 AND kind = 'escalated'`, [id])).rows[0].n,
  );
  expect(escalations(id)).toHaveLength(escalated);
  return dues.length;
}

describe('clocks survive', () => {
  it('Redis killed with -9 and restarted empty: no reminder lost, none twice', async () => {
    const h = await startHarness({
      slack,
      env: { INCIDENT_POLICY: policy, REDIS_URL: redis.url, CLOCK_SWEEP_EVERY: '1s' },
    });
    try {
      const id = idOf(await h.reply((await h.command('declare P1 Redis chaos')).responseUrl));
      await waitFor(() => reminders(id).length >= 1, 4000, 'the first reminder');
      await redis.kill();
      await sleep(2500);
      await redis.start();
      await waitFor(() => escalations(id).length === 2, 8000, 'both escalation steps after the restart');
      const before = reminders(id).length;
      await waitFor(() => reminders(id).length >= before + 2, 8000, 'reminders to continue');
      await h.reply((await h.command(`resolve ${id}`)).responseUrl);
      const count = await expectExactlyOnce(h.sql, id);
      await sleep(2500);
      expect(reminders(id)).toHaveLength(count);
      expect(h.logs.text).toContain('rebuilding clocks from Postgres');
    } finally {
      await h.stop();
    }
  }, 40_000);

  it('a bot restart mid-incident: no reminder lost, none twice', async () => {
    const db = await createTestDatabase();
    const env = { INCIDENT_POLICY: policy, REDIS_URL: redis.url, REDIS_PREFIX: redisPrefix(), CLOCK_SWEEP_EVERY: '1s' };
    const first = await startHarness({ slack, databaseUrl: db.url, env });
    const id = idOf(await first.reply((await first.command('declare P2 Restart me')).responseUrl));
    await waitFor(() => reminders(id).length >= 1, 4000, 'the first reminder');
    await first.stop();
    await sleep(2500);
    const second = await startHarness({ slack, databaseUrl: db.url, env });
    try {
      const before = reminders(id).length;
      await waitFor(() => reminders(id).length >= before + 2, 6000, 'reminders after the restart');
      await second.reply((await second.command(`resolve ${id}`)).responseUrl);
      await expectExactlyOnce(second.sql, id);
    } finally {
      await second.stop();
      await db.drop();
    }
  }, 40_000);

  it('two bot processes on one Redis and Postgres fire every reminder once, and one crashing loses nothing', async () => {
    const db = await createTestDatabase();
    const env = {
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_BOT_ID: BOT_ID,
      SLACK_BOT_USER_ID: BOT_USER,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redisPrefix(),
      INCIDENT_POLICY: policy,
      CLOCK_SWEEP_EVERY: '1s',
      EFFECT_LEASE: '3s',
      LOG_LEVEL: 'warn',
    };
    const a = new BotProcess(env);
    const b = new BotProcess(env);
    await Promise.all([a.start(), b.start()]).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${a.output.join('')}\n${b.output.join('')}`);
    });
    const sql = new pg.Pool({ connectionString: db.url, max: 2 });
    sql.on('error', () => undefined);
    try {
      const id = idOf(await replyOn(slack, (await sendCommand(a.url, slack, 'declare P1 Two replicas')).responseUrl));
      await waitFor(() => reminders(id).length >= 2, 6000, 'two reminders with both replicas up');
      await a.stop('SIGKILL');
      const before = reminders(id).length;
      await waitFor(() => reminders(id).length >= before + 2, 12000, 'reminders from the survivor');
      await waitFor(() => escalations(id).length === 2, 4000, 'both escalation steps');
      await replyOn(slack, (await sendCommand(b.url, slack, `resolve ${id}`)).responseUrl);
      const count = await expectExactlyOnce(sql, id);
      await sleep(2500);
      expect(reminders(id)).toHaveLength(count);
    } finally {
      await Promise.all([a.stop('SIGKILL'), b.stop()]);
      await sql.end();
      await db.drop();
    }
  }, 60_000);
});
