import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../support/db.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { replyOn, sendCommand, waitFor } from '../support/harness.js';
import { HoldingProxy } from '../support/holding-proxy.js';
import { BotProcess, slackEnv } from '../support/processes.js';

/** SIGTERM on the bot as a process (what Kubernetes sends on a rollout): it drains within 10 s and loses nothing. */

const CREATE = '/api/conversations.create';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

let slack: FakeSlack;
let proxy: HoldingProxy;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Pool;
let env: Record<string, string>;
beforeAll(async () => {
  slack = await new FakeSlack().start();
  proxy = await new HoldingProxy(slack.url).start();
});
afterAll(async () => {
  await proxy.stop();
  await slack.stop();
});
beforeEach(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  sql.on('error', () => undefined);
  env = {
    ...slackEnv(slack.token, `${proxy.url}/api/`),
    DATABASE_URL: db.url,
    REDIS_URL,
    REDIS_PREFIX: redisPrefix(),
    CLOCK_SWEEP_EVERY: '1s',
    EFFECT_LEASE: '3s',
    LOG_LEVEL: 'info',
  };
});
afterEach(async () => {
  proxy.release();
  await sql.end();
  await db.drop();
});

/** A request whose headers are still arriving: the server counts its connection as busy, not idle. */
function halfSentRequest(port: number, path: string): Promise<{ finish(): Promise<string>; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
      const answer = new Promise<string>((done) => {
        let text = '';
        socket.on('data', (d: Buffer) => {
          text += d.toString();
          if (/\r\n\r\n[\s\S]*\{[\s\S]*\}/.test(text)) done(text);
        });
        socket.on('close', () => done(text));
      });
      resolve({
        socket,
        finish: async () => {
          socket.write('\r\n');
          return answer;
        },
      });
    });
    socket.on('error', reject);
  });
}

const refused = (url: string) =>
  fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => false,
    () => true,
  );

const pendingEffects = async (id: string) =>
  Number(
    (await sql.query(`SELECT count(*) n FROM effects WHERE incident_id = $1 AND state IN ('pending', 'running')`, [id]))
      .rows[0].n,
  );

describe('SIGTERM', () => {
  it('turns /readyz 503 and takes no new connection, finishes the command in flight, answers it and exits 0 within 10 s', async () => {
    const bot = await new BotProcess(env).start();
    const probe = await halfSentRequest(bot.port, '/readyz');
    try {
      proxy.hold(CREATE);
      const ack = await sendCommand(bot.url, slack, 'declare P1 Drain me');
      expect(ack.status).toBe(200);
      await waitFor(() => proxy.waiting(CREATE) === 1, 5000, 'the war room creation to be in flight');

      const signalled = Date.now();
      bot.signal('SIGTERM');
      await waitFor(() => refused(bot.url), 3000, 'the listener to refuse new connections');
      const readiness = await probe.finish();
      expect(readiness).toMatch(/^HTTP\/1\.1 503/);
      expect(readiness).toContain('"status":"draining"');

      // The command is still waiting for Slack: the drain waits for it.
      await sleep(1000);
      expect(await Promise.race([bot.exited, sleep(10).then(() => 'running')])).toBe('running');
      proxy.release();

      const exit = await bot.exited;
      const took = Date.now() - signalled;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(10_000);

      const reply = await replyOn(slack, ack.responseUrl, 1000);
      expect(reply).toContain('Declared *INC-');
      expect(reply).toContain('War room: <#C');
      const id = idOf(reply);
      const { rows } = await sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id]);
      expect(rows[0].channel_id).toMatch(/^C/);
      expect(slack.channels.get(rows[0].channel_id)).toBeDefined();
      expect(await pendingEffects(id)).toBe(0);
      const log = bot.output.join('');
      expect(log).toContain('SIGTERM: draining');
      expect(log).toContain('"clean":true');
    } finally {
      probe.socket.destroy();
      await bot.stop('SIGKILL');
    }
  }, 30_000);

  it('a second SIGTERM exits at once, saying so; the work it cut short is taken over by another replica after its lease', async () => {
    const first = await new BotProcess(env).start();
    let second: BotProcess | undefined;
    try {
      proxy.hold(CREATE);
      const ack = await sendCommand(first.url, slack, 'declare P1 Cut short');
      expect(ack.status).toBe(200);
      await waitFor(() => proxy.waiting(CREATE) === 1, 5000, 'the war room creation to be in flight');
      const { rows } = await sql.query(`SELECT id FROM incidents WHERE title = 'Cut short'`);
      const id = rows[0].id as string;

      first.signal('SIGTERM');
      await sleep(200);
      const signalled = Date.now();
      first.signal('SIGTERM');
      const exit = await first.exited;
      expect(Date.now() - signalled).toBeLessThan(2000);
      expect(exit.code).toBe(1);
      expect(first.output.join('')).toContain('second SIGTERM: exiting now without finishing the drain');
      // The call never reached Slack; the war room is still owed, and Postgres knows it.
      proxy.drop();
      expect(await pendingEffects(id)).toBeGreaterThan(0);

      second = await new BotProcess(env).start();
      await waitFor(
        async () => (await sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id])).rows[0].channel_id,
        15_000,
        'the other replica to open the war room after the lease',
      );
      await waitFor(async () => (await pendingEffects(id)) === 0, 10_000, 'every side effect to be done');
      const rooms = [...slack.channels.values()].filter((c) => c.name.includes('cut-short'));
      expect(rooms).toHaveLength(1);
      second.signal('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    } finally {
      await first.stop('SIGKILL');
      await second?.stop('SIGKILL');
    }
  }, 45_000);
});
