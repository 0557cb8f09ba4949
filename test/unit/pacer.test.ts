import { describe, expect, it } from '@jest/globals';
import { IMPORTANCE } from '../../src/incident/importance.js';
import { createPacer, PacerClosed } from '../../src/slack/pacer.js';
import { slackLimit } from '../../src/slack/rate-limits.js';

/** 10 calls a second with a burst of 2: fast enough for a unit test, slow enough to measure. */
const fast = () =>
  createPacer({
    limitOf: (m) => (m === 'unpaced.method' ? undefined : { perMinute: 600, burst: 2 }),
    perChannel: new Set(['chat.postMessage']),
    random: () => 0,
  });

const since = (start: number) => Date.now() - start;

describe('the Slack pacer', () => {
  it('lets a burst through at once, then one call per interval', async () => {
    const pacer = fast();
    const start = Date.now();
    const times = await Promise.all(
      Array.from({ length: 5 }, () => pacer.acquire('conversations.create').then(() => since(start))),
    );
    expect(times[0]).toBeLessThan(50);
    expect(times[1]).toBeLessThan(50);
    expect(times[2]).toBeGreaterThanOrEqual(90);
    expect(times[4]).toBeGreaterThanOrEqual(290);
    expect(times[4]).toBeLessThan(700);
  });

  it('sends the most important waiting call first, then in arrival order', async () => {
    const pacer = fast();
    await Promise.all([pacer.acquire('chat.update'), pacer.acquire('chat.update')]);
    const order: string[] = [];
    const queue = (name: string, level: (typeof IMPORTANCE)[keyof typeof IMPORTANCE]) =>
      pacer.withImportance(level, () => pacer.acquire('chat.update').then(() => void order.push(name)));
    await Promise.all([
      queue('card edit', IMPORTANCE.background),
      queue('topic', IMPORTANCE.background),
      queue('update notice', IMPORTANCE.normal),
      queue('page', IMPORTANCE.urgent),
    ]);
    expect(order).toEqual(['page', 'update notice', 'card edit', 'topic']);
  });

  it('gives each channel its own chat.postMessage allowance, and each method its own', async () => {
    const pacer = fast();
    const start = Date.now();
    await Promise.all([
      pacer.acquire('chat.postMessage', 'C0AAAAAAAA'),
      pacer.acquire('chat.postMessage', 'C0AAAAAAAA'),
      pacer.acquire('chat.postMessage', 'C0BBBBBBBB'),
      pacer.acquire('chat.postMessage', 'C0BBBBBBBB'),
      pacer.acquire('pins.add'),
      pacer.acquire('pins.add'),
    ]);
    expect(since(start)).toBeLessThan(50);
  });

  it('holds a whole method for its Retry-After, and no other method', async () => {
    const pacer = fast();
    pacer.pause('conversations.create', undefined, 400);
    const start = Date.now();
    const [created, pinned] = await Promise.all([
      pacer.acquire('conversations.create').then(() => since(start)),
      pacer.acquire('pins.add').then(() => since(start)),
    ]);
    expect(pinned).toBeLessThan(50);
    expect(created).toBeGreaterThanOrEqual(395);
  });

  it('holds only the one channel a chat.postMessage Retry-After names', async () => {
    const pacer = fast();
    pacer.pause('chat.postMessage', 'C0AAAAAAAA', 400);
    const start = Date.now();
    await pacer.acquire('chat.postMessage', 'C0BBBBBBBB');
    expect(since(start)).toBeLessThan(50);
    await pacer.acquire('chat.postMessage', 'C0AAAAAAAA');
    expect(since(start)).toBeGreaterThanOrEqual(395);
  });

  it('never holds a method it has no limit for', async () => {
    const pacer = fast();
    const start = Date.now();
    await Promise.all(Array.from({ length: 50 }, () => pacer.acquire('unpaced.method')));
    expect(since(start)).toBeLessThan(50);
  });

  it('tells work when one of its calls has to wait, so it can give up its place in a queue of its own', async () => {
    const pacer = fast();
    let waits = 0;
    await pacer.whileWaiting(
      () => waits++,
      async () => {
        await pacer.acquire('pins.add');
        await pacer.acquire('pins.add');
      },
    );
    expect(waits).toBe(0);
    await pacer.whileWaiting(
      () => waits++,
      () => pacer.withImportance(IMPORTANCE.urgent, () => pacer.acquire('pins.add')),
    );
    expect(waits).toBe(1);
  });

  it('fails every waiting call with PacerClosed when the process stops', async () => {
    const pacer = fast();
    await Promise.all([pacer.acquire('pins.add'), pacer.acquire('pins.add')]);
    const waiting = pacer.acquire('pins.add');
    expect(pacer.waiting()).toBe(1);
    pacer.close();
    await expect(waiting).rejects.toBeInstanceOf(PacerClosed);
    await expect(pacer.acquire('pins.add')).rejects.toBeInstanceOf(PacerClosed);
  });
});

describe("Slack's limits as the bot knows them", () => {
  it('follow the published tiers, chat.postMessage per channel, and Tier 2 for anything unlisted', () => {
    expect(slackLimit('conversations.create').perMinute).toBe(20);
    expect(slackLimit('chat.update').perMinute).toBe(50);
    expect(slackLimit('users.info').perMinute).toBe(100);
    expect(slackLimit('chat.postMessage').perMinute).toBe(60);
    expect(slackLimit('some.newMethod').perMinute).toBe(20);
    expect(slackLimit('conversations.create', 4).perMinute).toBe(80);
  });
});
