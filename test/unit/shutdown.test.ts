import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/log.js';
import { drainWithin, exitOnSignals, type Stoppable } from '../../src/shutdown.js';
import { LogCapture } from '../support/log-capture.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const never = () => new Promise<never>(() => undefined);

function logged() {
  const out = new LogCapture();
  const log = createLogger({ level: 'info' }, out);
  const messages = () => out.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  return { log, messages };
}

/**
 * A process stand-in watched by `exitOnSignals`: signals come from the test,
 * exits are recorded with their time, log lines are kept.
 */
function watched(bot: Promise<Stoppable> | Stoppable['stop'], graceMs = 10_000) {
  const { log, messages } = logged();
  const signals = new EventEmitter();
  const exits: { code: number; at: number }[] = [];
  const started = Date.now();
  const exit = (code: number) => void exits.push({ code, at: Date.now() - started });
  const starting = typeof bot === 'function' ? Promise.resolve({ stop: bot }) : bot;
  exitOnSignals({ bot: starting, log, graceMs, signals: signals as never, exit });
  return {
    messages,
    exits,
    signal: (name: string) => signals.emit(name),
    exited: (ms = 3000) =>
      new Promise<{ code: number; at: number }>((resolve, reject) => {
        const deadline = Date.now() + ms;
        const poll = () => {
          if (exits[0]) resolve(exits[0]);
          else if (Date.now() > deadline) reject(new Error('no exit'));
          else setTimeout(poll, 5);
        };
        poll();
      }),
  };
}

describe('draining within a budget', () => {
  it('closes stage after stage, the steps of a stage at once, and reports a clean stop', async () => {
    const { log } = logged();
    const order: string[] = [];
    const step = (name: string, ms: number) => async () => {
      order.push(`${name} started`);
      await sleep(ms);
      order.push(`${name} done`);
    };
    const clean = await drainWithin(
      2000,
      [
        [
          ['slack', step('slack', 60)],
          ['jobs', step('jobs', 20)],
        ],
        [['pool', step('pool', 1)]],
      ],
      log,
    );
    expect(clean).toBe(true);
    expect(order).toEqual(['slack started', 'jobs started', 'jobs done', 'slack done', 'pool started', 'pool done']);
  });

  it('leaves a step that overruns the budget behind, names it, and still closes what comes after', async () => {
    const { log, messages } = logged();
    const left: number[] = [];
    const started = Date.now();
    let poolClosed = false;
    const clean = await drainWithin(
      150,
      [
        [['the Slack receiver and the work it took', never]],
        [
          [
            'the Postgres pool',
            async (ms) => {
              left.push(ms);
              poolClosed = true;
            },
          ],
        ],
      ],
      log,
    );
    expect(clean).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(poolClosed).toBe(true);
    expect(left[0]).toBeLessThanOrEqual(10);
    expect(messages()).toContain(
      'the Slack receiver and the work it took did not finish within the drain; leased work goes to another replica',
    );
  });

  it('logs a step that fails and goes on with the others', async () => {
    const { log, messages } = logged();
    let closed = false;
    const clean = await drainWithin(
      1000,
      [
        [['the job queue', () => Promise.reject(new Error('redis is gone'))]],
        [
          [
            'the Postgres pool',
            async () => {
              closed = true;
            },
          ],
        ],
      ],
      log,
    );
    expect(clean).toBe(false);
    expect(closed).toBe(true);
    expect(messages()).toContain('stopping the job queue failed');
  });
});

describe('signals', () => {
  it('SIGTERM drains with the grace period less a margin to report in, then exits 0', async () => {
    const budgets: number[] = [];
    const p = watched(async (ms) => {
      budgets.push(ms);
      await sleep(30);
      return true;
    });
    p.signal('SIGTERM');
    expect(await p.exited()).toMatchObject({ code: 0 });
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toBeGreaterThan(9_400);
    expect(budgets[0]).toBeLessThanOrEqual(9_500);
    expect(p.messages()).toContain('SIGTERM: draining (send it again to exit at once)');
  });

  it('a signal while the bot is starting drains it once it is up, within what is left of the grace period', async () => {
    const budgets: number[] = [];
    const stop = async (ms: number) => {
      budgets.push(ms);
      return true;
    };
    const p = watched(sleep(300).then(() => ({ stop })));
    p.signal('SIGTERM');
    const exit = await p.exited();
    expect(exit.code).toBe(0);
    expect(exit.at).toBeGreaterThanOrEqual(290);
    expect(budgets[0]).toBeLessThanOrEqual(9_500 - 290);
  });

  it('a stop that left work behind exits 1', async () => {
    const p = watched(async () => false);
    p.signal('SIGINT');
    expect((await p.exited()).code).toBe(1);
  });

  it('a second signal exits at once, saying so', async () => {
    const p = watched(never);
    p.signal('SIGTERM');
    await sleep(20);
    expect(p.exits).toEqual([]);
    p.signal('SIGTERM');
    const exit = await p.exited();
    expect(exit.code).toBe(1);
    expect(exit.at).toBeLessThan(1000);
    expect(p.messages()).toContain('second SIGTERM: exiting now without finishing the drain');
  });

  it('a drain that hangs past the grace period exits anyway, saying so', async () => {
    const p = watched(never, 300);
    p.signal('SIGTERM');
    const exit = await p.exited();
    expect(exit).toMatchObject({ code: 1 });
    expect(exit.at).toBeGreaterThanOrEqual(290);
    expect(p.messages()).toContain('the drain did not finish within 0.3 s; exiting anyway');
  });

  it('a drain that throws exits 1, saying so', async () => {
    const p = watched(() => Promise.reject(new Error('boom')));
    p.signal('SIGTERM');
    expect((await p.exited()).code).toBe(1);
    expect(p.messages()).toContain('the drain failed; exiting');
  });
});
