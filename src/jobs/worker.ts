import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { JobName, JobPayloads } from './payloads.js';

/** What a job does when it fires; each handler re-reads Postgres and decides. */
export interface JobHandlers {
  runEffects(incidentId: string): Promise<unknown>;
  updateDue(incidentId: string, dueMs: number): Promise<unknown>;
  escalationDue(incidentId: string, level: string, step: number): Promise<unknown>;
  /** Periodic: runs due effects and fires clocks whose prompts were lost. */
  sweep(): Promise<unknown>;
  /** Redis came back (possibly empty): put every prompt back from Postgres. */
  rebuild(): Promise<unknown>;
  /** Periodic: deletes what the retention policy no longer keeps. */
  retention(): Promise<unknown>;
  /** A run's due actions (its outbox): a step to apply, a card to post or edit. */
  runActions(runId: string): Promise<unknown>;
  expireRun(runId: string): Promise<unknown>;
  /** Shows alert groups in Slack and declares the ones due (a prompt: it reads Postgres). */
  publishAlerts?(): Promise<unknown>;
}

/** Hands a job to its handler by name; a job of a name it does not know runs the effects of the incident it names. */
async function dispatch(job: Job, handlers: JobHandlers): Promise<void> {
  const payload = <N extends JobName>(_name: N) => job.data as JobPayloads[N];
  switch (job.name) {
    case 'sweep':
      return void (await handlers.sweep());
    case 'retention':
      return void (await handlers.retention());
    case 'update': {
      const d = payload('update');
      return void (await handlers.updateDue(d.incidentId, d.dueMs));
    }
    case 'escalate': {
      const d = payload('escalate');
      return void (await handlers.escalationDue(d.incidentId, d.level, d.step));
    }
    case 'run-actions':
      return void (await handlers.runActions(payload('run-actions').runId));
    case 'run-expire':
      return void (await handlers.expireRun(payload('run-expire').runId));
    case 'alerts':
      return void (await handlers.publishAlerts?.());
    default: {
      const d = job.data as Partial<JobPayloads['effects']>;
      return void (d.incidentId && (await handlers.runEffects(d.incidentId)));
    }
  }
}

/** The BullMQ worker of `queue`: eight jobs at once, each timed against when it fell due. */
export function createWorker(
  queue: string,
  options: { connection: Redis; prefix: string; onLag?: ((seconds: number) => void) | undefined },
  handlers: JobHandlers,
  log: Logger,
): Worker {
  const worker = new Worker(
    queue,
    async (job: Job) => {
      options.onLag?.(Math.max(0, Date.now() - job.timestamp - (job.opts.delay ?? 0)) / 1000);
      await dispatch(job, handlers);
    },
    { connection: options.connection, prefix: options.prefix, concurrency: 8 },
  );
  worker.on('failed', (job, err) => log.warn({ job: job?.id, err: { message: err.message } }, 'job failed'));
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
  return worker;
}
