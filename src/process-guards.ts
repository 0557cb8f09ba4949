import type { Logger } from './log.js';

/** How long a process that must exit gives in-flight work to finish. */
const EXIT_GRACE_MS = 5_000;

/**
 * The last line of defence for errors nothing else caught. A rejected
 * promise nobody awaited fails only the request that made it (state lives in
 * Postgres), so it is logged and the process keeps serving. An uncaught
 * exception may have left shared state half-changed, so the process says so,
 * stops as gracefully as it can within a few seconds, and exits non-zero for
 * its supervisor to start a clean one.
 */
export function installProcessGuards(log: Logger, stop: () => Promise<void>): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection; the process keeps serving (state is in Postgres)');
  });
  let exiting = false;
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception; exiting so the supervisor starts a clean process');
    if (exiting) return;
    exiting = true;
    const deadline = new Promise((resolve) => setTimeout(resolve, EXIT_GRACE_MS).unref());
    void Promise.race([stop().catch(() => undefined), deadline]).finally(() => {
      log.flush();
      process.exit(70);
    });
  });
}
