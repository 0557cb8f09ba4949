/** A clock that stands still until the test moves it: `now()` and `advance(ms)`. */
export class ManualClock {
  #ms: number;

  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.#ms = start.getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}
