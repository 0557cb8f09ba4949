/** The first index below `length` for which `earlier` is false, where it holds for a prefix only: a binary search. */
export function firstNot(length: number, earlier: (index: number) => boolean): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (earlier(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A multiset of durations kept in ascending order in one Float64Array, so a
 * quantile follows each change without sorting again: adding or removing a
 * value is a binary search and one copy within the array (microseconds at
 * 20,000 values), a quantile is two reads. Values are finite (durations), so
 * plain `<` orders them.
 */
export class SortedValues {
  private values: Float64Array;
  private size: number;

  private constructor(values: Float64Array, size: number) {
    this.values = values;
    this.size = size;
  }

  /** The values given, sorted once. */
  static of(values: readonly number[]): SortedValues {
    const sorted = Float64Array.from(values).sort();
    return new SortedValues(sorted, sorted.length);
  }

  get length(): number {
    return this.size;
  }

  add(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(Math.max(8, this.size * 2));
      grown.set(this.values);
      this.values = grown;
    }
    // Among equal values any place keeps the order: the first of them will do.
    const at = this.firstAtLeast(value);
    this.values.copyWithin(at + 1, at, this.size);
    this.values[at] = value;
    this.size++;
  }

  /** Removes one occurrence of `value`; false when there is none. */
  remove(value: number): boolean {
    const at = this.firstAtLeast(value);
    if (at >= this.size || this.values[at] !== value) return false;
    this.values.copyWithin(at, at + 1, this.size);
    this.size--;
    return true;
  }

  /**
   * Postgres' `percentile_cont(p)`: linear interpolation between the closest
   * ranks, at position p·(n−1), in the same floating-point steps as its
   * `float8_lerp`, so the result is the same double. Undefined when empty.
   */
  percentile(p: number): number | undefined {
    if (this.size === 0) return undefined;
    const position = p * (this.size - 1);
    const below = Math.floor(position);
    const above = Math.ceil(position);
    const low = this.values[below]!;
    if (above === below) return low;
    return low + (position - below) * (this.values[above]! - low);
  }

  private firstAtLeast(value: number): number {
    return firstNot(this.size, (i) => this.values[i]! < value);
  }
}
