import { describe, expect, it } from '@jest/globals';
import { createLimiter } from '../../src/slack/limiter.js';

describe('the work limiter behind acks', () => {
  it('runs at most N at once, in arrival order, and survives failures', async () => {
    const limit = createLimiter(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (n: number) =>
      limit(async () => {
        started.push(n);
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        if (n === 3) throw new Error('boom');
        return n;
      });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6].map(task));
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await task(7)).toBe(7);
  });

  it('lets the next task in when a task releases its place early, and counts the place once', async () => {
    const limit = createLimiter(1);
    const order: string[] = [];
    let finishFirst: () => void = () => undefined;
    const first = limit(async (release) => {
      order.push('first recorded');
      release();
      release();
      await new Promise<void>((r) => {
        finishFirst = r;
      });
      order.push('first done waiting');
    });
    const second = limit(async () => void order.push('second ran'));
    await second;
    expect(order).toEqual(['first recorded', 'second ran']);
    finishFirst();
    await first;
    let active = 0;
    let peak = 0;
    const later = (name: string) =>
      limit(async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        order.push(name);
      });
    await Promise.all([later('third ran'), later('fourth ran'), later('fifth ran')]);
    expect(peak).toBe(1);
    expect(order).toEqual([
      'first recorded',
      'second ran',
      'first done waiting',
      'third ran',
      'fourth ran',
      'fifth ran',
    ]);
  });
});
