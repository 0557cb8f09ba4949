import { describe, expect, it } from '@jest/globals';
import { StatsSnapshot } from '../../src/postgres/stats-snapshot.js';

const MINUTE = 60_000;

/** One P1 a minute for `n` minutes from 0, acknowledged after as many seconds as its index. */
function snapshot(n: number): StatsSnapshot {
  const incidents = Array.from({ length: n }, (_, i) => ({
    id: `INC-${i}`,
    severity: 'P1',
    declaredAt: i * MINUTE,
    tta: i,
    ttm: null,
    ttr: null,
    onTime: 0,
    missed: 0,
  }));
  return new StatsSnapshot(0, incidents);
}

describe('the windows a stats snapshot keeps', () => {
  it('drop the least recently asked one when a ninth is asked, and keep the one just built', () => {
    const s = snapshot(2_000);
    // Windows 200 incidents apart: too far for one to slide into another.
    const starts = Array.from({ length: 9 }, (_, i) => i * 200 * MINUTE);
    for (const since of starts) expect(s.figures(since)[0]!.count).toBe(2_000 - since / MINUTE);
    expect(s.starts().sort((a, b) => a - b)).toEqual(starts.slice(1));
    // Asking the oldest kept window again makes the next newcomer drop another.
    s.figures(starts[1]!);
    s.figures(1_900 * MINUTE);
    expect(s.starts()).toContain(starts[1]);
    expect(s.starts()).not.toContain(starts[2]);
    expect(s.starts()).toContain(1_900 * MINUTE);
  });
});
