/**
 * Runs at most `max` tasks at once; the rest wait their turn in order.
 * Work after an ack goes through one, so a burst of commands or events never
 * floods the event loop with callbacks, and the next request is still acked
 * at once. A task may hand its place on early with `release` (say, once it
 * only waits on Slack); releasing twice is harmless.
 */
export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(work: (release: () => void) => Promise<T>): Promise<T> {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      const next = waiting.shift();
      if (next) next();
      else active--;
    };
    try {
      return await work(release);
    } finally {
      release();
    }
  };
}

export type Limit = ReturnType<typeof createLimiter>;
