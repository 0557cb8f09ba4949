import { describe, expect, it } from '@jest/globals';
import { SortedValues } from '../../src/postgres/sorted-values.js';

/** Postgres' percentile_cont, written out over a sorted copy: the reference the kept values must match. */
function percentileCont(values: readonly number[], p: number): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const position = p * (sorted.length - 1);
  const low = sorted[Math.floor(position)]!;
  const high = sorted[Math.ceil(position)]!;
  return Math.ceil(position) === Math.floor(position) ? low : low + (position - Math.floor(position)) * (high - low);
}

describe('durations kept in order for the stats', () => {
  it('give the median and p90 of a sort after every add and remove, ties and all', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const reference: number[] = [];
    const kept = SortedValues.of([]);
    for (let step = 0; step < 2_000; step++) {
      const removing = reference.length > 0 && random() < 0.4;
      if (removing) {
        const [value] = reference.splice(Math.floor(random() * reference.length), 1);
        expect(kept.remove(value!)).toBe(true);
      } else {
        // Whole minutes tie often; the rest are seconds with microseconds, as Postgres keeps them.
        const value = random() < 0.3 ? 60 * Math.floor(random() * 5) : Math.round(random() * 7_200e6) / 1e6;
        reference.push(value);
        kept.add(value);
      }
      expect([kept.length, kept.percentile(0.5), kept.percentile(0.9)]).toEqual([
        reference.length,
        percentileCont(reference, 0.5),
        percentileCont(reference, 0.9),
      ]);
    }
  });

  it('answers nothing when empty, the value itself when one, and interpolates between two', () => {
    const values = SortedValues.of([]);
    expect(values.percentile(0.5)).toBeUndefined();
    values.add(42);
    expect([values.percentile(0.5), values.percentile(0.9)]).toEqual([42, 42]);
    values.add(2);
    expect([values.percentile(0.5), values.percentile(0.9)]).toEqual([22, 38]);
    expect(values.remove(7)).toBe(false);
    expect(values.length).toBe(2);
  });
});
