/**
 * Runs at most `max` tasks at once; the rest wait their turn in order.
 * Work after an ack goes through one, so a burst of commands or events never
 * floods the event loop with callbacks, and the next request is still acked
 * at once.
 */
export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(work: () => Promise<T>): Promise<T> {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

export type Limit = ReturnType<typeof createLimiter>;
