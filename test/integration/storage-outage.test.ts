import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { proxiedDatabase, type TcpProxy } from '../support/tcp-proxy.js';

let h: Harness;
let proxy: TcpProxy;
let db: Awaited<ReturnType<typeof proxiedDatabase>>['db'];

beforeAll(async () => {
  let url: string;
  ({ db, proxy, url } = await proxiedDatabase());
  h = await startHarness({ databaseUrl: url });
});
afterAll(async () => {
  await h.stop();
  await proxy.stop();
  await db.drop();
});

describe('when Postgres goes down', () => {
  it('answers "storage unavailable" within 3 s, stays up, reports not ready, and recovers', async () => {
    proxy.cut();
    const started = Date.now();
    const ack = await h.command('declare P1 Database is down');
    expect(ack.status).toBe(200);
    expect(ack.ms).toBeLessThan(3000);
    const reply = await h.reply(ack.responseUrl, 4000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(reply).toContain('Storage is unavailable right now, so nothing was recorded');

    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.bot.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing: string[] }).failing).toEqual(['postgres']);
    expect(h.logs.text).toContain('storage unavailable');

    proxy.restore();
    await waitFor(async () => (await fetch(`${h.bot.url}/readyz`)).status === 200, 5000, 'readyz to recover');
    const again = await h.reply((await h.command('declare P1 Database is back')).responseUrl);
    expect(again).toMatch(/Declared \*INC-\d{4}-\d{4}-001\*/);
  });
});
