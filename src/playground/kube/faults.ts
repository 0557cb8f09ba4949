/** An answer the server gives instead of serving a request, for tests of upstream failures. */
export interface Fault {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly contentType: string;
  /** The body, built from the request's headers (a proxy's error page may echo them). */
  readonly body: (headers: Record<string, string | string[] | undefined>) => string;
  times: number;
}

/** Faults and delays a test asked for, each for a number of matching requests. */
export class Interruptions {
  private readonly faults: Fault[] = [];
  private readonly holds: { method: string; path: RegExp; ms: number; times: number }[] = [];

  fail(fault: Omit<Fault, 'times' | 'contentType'> & { times?: number; contentType?: string }): void {
    this.faults.push({ contentType: 'text/html', ...fault, times: fault.times ?? 1 });
  }

  hold(method: string, path: RegExp, ms: number, times = 1): void {
    this.holds.push({ method, path, ms, times });
  }

  /** Waits out a hold on the request, if any, then takes the fault to answer it with, if any. */
  async before(method: string, path: string): Promise<Fault | undefined> {
    const hold = this.holds.find((h) => h.method === method && h.path.test(path) && h.times > 0);
    if (hold) {
      hold.times--;
      await new Promise((r) => setTimeout(r, hold.ms).unref());
    }
    const fault = this.faults.find((f) => f.method === method && f.path.test(path) && f.times > 0);
    if (fault) fault.times--;
    return fault;
  }
}
