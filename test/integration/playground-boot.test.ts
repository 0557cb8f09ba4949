import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { readPlaybooks } from '../../src/config.js';
import { ADMIN_URL, REDIS_URL } from '../support/db.js';
import { waitFor } from '../support/harness.js';
import { REPO } from '../support/paths.js';
import { startPlaygroundProcess } from '../support/playground-process.js';

/** `npm start` as the shipped main.js runs it: the playground with no Slack settings, the real bot with any. */

const withDatabase = (database: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.href;
};

describe('npm start', () => {
  it('with no Slack settings starts the playground, says so in one line with its URL, and keeps its database', async () => {
    const first = await startPlaygroundProcess();
    const url = await first.ready();
    expect(url).toBe(`http://127.0.0.1:${first.port}/`);
    expect(
      first
        .output()
        .split('\n')
        .filter((l) => l.includes(url)),
    ).toHaveLength(1);
    expect(await (await fetch(url)).text()).toContain('Firebreak playground');
    const state = (await (await fetch(`${url}pg/state`)).json()) as {
      channels: { id: string; name: string }[];
      deployments: { namespace: string; name: string; revision: string }[];
    };
    const incidents = state.channels.find((c) => c.name === 'incidents')!;
    // Every service the shipped playbooks name, each with a revision to roll back to.
    const named = [...readPlaybooks(new URL('playbooks', REPO).pathname, []).values()].flatMap((pb) =>
      Object.entries(pb.deployments ?? {}).flatMap(([ns, names]) => names.map((n) => `${ns}/${n}`)),
    );
    expect(named.length).toBeGreaterThan(5);
    expect(state.deployments.map((d) => `${d.namespace}/${d.name}`).sort()).toEqual([...new Set(named)].sort());
    expect(new Set(state.deployments.map((d) => d.revision))).toEqual(new Set(['2']));
    const declared = await fetch(`${url}pg/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0PLAYIC01', channel: incidents.id, text: '/incident declare P2 Search is slow' }),
    });
    expect(declared.status).toBe(200);
    // Its timers live under the Redis prefix it was given, apart from every other bot's.
    const redis = new Redis(REDIS_URL);
    try {
      await waitFor(async () => (await redis.keys(`${first.prefix}:*`)).length > 0, 10_000, 'keys under its prefix');
    } finally {
      redis.disconnect();
    }
    // Another site's page cannot act: it cannot send JSON without a preflight, which the page server never answers.
    const forged = await fetch(`${url}pg/command`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ user: 'U0PLAYIC01', channel: incidents.id, text: '/incident declare P0 forged' }),
    });
    expect(forged.status).toBe(403);
    await first.stop(true);
    // SIGTERM drains the bot and closes the emulators: a clean exit.
    expect(await first.exited).toBe(0);

    const second = await startPlaygroundProcess({}, first.database);
    try {
      await second.ready();
      const sql = new pg.Client({ connectionString: withDatabase(first.database) });
      await sql.connect();
      const titles = (await sql.query('SELECT title FROM incidents')).rows.map((r) => r.title as string);
      await sql.end();
      expect(titles).toEqual(['Search is slow']);
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('with any Slack setting is the real bot, and fails at boot listing every missing setting', async () => {
    const bot = await startPlaygroundProcess({ SLACK_BOT_TOKEN: 'xoxb-0000-1111', DATABASE_URL: '' });
    expect(await bot.exited).toBe(78);
    const said = bot.output();
    expect(said).toContain('SLACK_SIGNING_SECRET is not set');
    expect(said).toContain('DATABASE_URL is not set');
    expect(said).not.toContain('playground');
    await bot.stop();
  });

  it('never falls back to the playground where FIREBREAK_PLAYGROUND=off (as the image sets it)', async () => {
    const bot = await startPlaygroundProcess({ FIREBREAK_PLAYGROUND: 'off' });
    expect(await bot.exited).toBe(78);
    expect(bot.output()).toContain('SLACK_BOT_TOKEN is not set');
    expect(bot.output()).toContain('SLACK_SIGNING_SECRET is not set');
    await bot.stop();
  });

  it('says what to start, without a stack trace, when Postgres and Redis do not answer', async () => {
    const down = await startPlaygroundProcess({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/postgres',
      REDIS_URL: 'redis://127.0.0.1:9',
    });
    expect(await down.exited).toBe(69);
    const said = down.output();
    expect(said).toContain('Postgres does not answer at 127.0.0.1:9');
    expect(said).toContain('Redis does not answer at 127.0.0.1:9');
    expect(said).toContain('docker run');
    expect(said).toContain('DATABASE_URL');
    expect(said).not.toMatch(/\n\s+at /);
    await down.stop();
  });

  it('says when its port is taken, instead of a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const clash = await startPlaygroundProcess({ PORT: String(port) });
      expect(await clash.exited).toBe(69);
      expect(clash.output()).toContain(`Port ${port} of 127.0.0.1 is in use`);
      expect(clash.output()).not.toMatch(/\n\s+at /);
      await clash.stop();
    } finally {
      holder.close();
    }
  }, 60_000);
});
