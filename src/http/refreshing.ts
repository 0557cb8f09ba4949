/** A value and when the computation that produced it started (ms since the epoch). */
export interface Stamped<T> {
  readonly value: T;
  readonly at: number;
}

export interface RefreshingOptions {
  /** A value younger than this is served as it is. */
  readonly everyMs: number;
  readonly now: () => number;
  /** A background refresh failed; the last value keeps being served, older each time. */
  readonly onError: (err: unknown) => void;
}

/**
 * A value computed at most once per `everyMs`. Only the first call waits for
 * it (and a failure there reaches the caller); afterwards callers get the last
 * value at once, and a stale one starts a single refresh in the background.
 * Concurrent callers share one computation.
 */
export function createRefreshing<T>(load: () => Promise<T>, options: RefreshingOptions) {
  let current: Stamped<T> | undefined;
  let pending: Promise<Stamped<T>> | undefined;
  /** When the last computation started, failed or not: a failure is retried a period later, not on every call. */
  let attempted = Number.NEGATIVE_INFINITY;
  const refresh = (): Promise<Stamped<T>> => {
    if (pending) return pending;
    const at = options.now();
    attempted = at;
    pending = load()
      .then((value) => {
        current = { value, at };
        return current;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return {
    async get(): Promise<Stamped<T>> {
      if (!current) return refresh();
      if (options.now() - attempted >= options.everyMs) refresh().catch(options.onError);
      return current;
    },
  };
}
