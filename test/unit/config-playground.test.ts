import { describe, expect, it } from '@jest/globals';
import { readPlayground, wantsPlayground } from '../../src/config-playground.js';
import { ConfigError } from '../../src/errors.js';

describe('when npm start runs the playground', () => {
  it('runs it only with no Slack setting at all, and never when FIREBREAK_PLAYGROUND=off', () => {
    expect(wantsPlayground({})).toBe(true);
    expect(wantsPlayground({ DATABASE_URL: 'postgres://x@db/y', SLACK_BOT_TOKEN: '  ' })).toBe(true);
    expect(wantsPlayground({ SLACK_SIGNING_SECRET: 'abc' })).toBe(false);
    expect(wantsPlayground({ SLACK_APP_TOKEN: 'xapp-1' })).toBe(false);
    expect(wantsPlayground({ FIREBREAK_PLAYGROUND: 'off' })).toBe(false);
  });

  it('keeps its own database on the given Postgres server and its own Redis prefix, with local defaults', () => {
    const local = readPlayground({});
    expect(local.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/firebreak_playground');
    expect(local.adminUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(local.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(local.botEnv).toMatchObject({ REDIS_PREFIX: 'firebreak-playground', DATABASE_URL: local.databaseUrl });
    const given = readPlayground({
      DATABASE_URL: 'postgres://me:pw@db.local:6543/app',
      REDIS_URL: 'redis://cache:7000',
    });
    expect(given.databaseUrl).toBe('postgres://me:pw@db.local:6543/firebreak_playground');
    expect(given.adminUrl).toBe('postgres://me:pw@db.local:6543/app');
    expect(given.botEnv.REDIS_URL).toBe('redis://cache:7000');
    const own = readPlayground({ REDIS_PREFIX: 'mine', PLAYGROUND_DATABASE: 'pg_mine' });
    expect(own.botEnv).toMatchObject({
      REDIS_PREFIX: 'mine',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/pg_mine',
    });
  });

  it('points every database and Redis the playbooks name at its own, unless the environment names one', () => {
    const { botEnv, databaseUrl } = readPlayground({
      DIAG_DATABASE_EDUCATION_URL: 'postgres://diag@edu.local/education',
    });
    expect(botEnv.DIAG_DATABASE_AI_DEVELOPMENT_URL).toBe(databaseUrl);
    expect(botEnv.DIAG_DATABASE_STUDYTEDDY_URL).toBe(databaseUrl);
    expect(botEnv.DIAG_DATABASE_EDUCATION_URL).toBe('postgres://diag@edu.local/education');
  });

  it('lists every bad setting at once', () => {
    const read = () => readPlayground({ PORT: 'x', DATABASE_URL: 'mysql://db', REDIS_URL: 'memcached://c' });
    expect(read).toThrow(ConfigError);
    expect(() => read()).toThrow(/PORT must be a port number[\s\S]*DATABASE_URL must be a URL[\s\S]*REDIS_URL must be/);
  });
});
