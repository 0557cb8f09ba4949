import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Timers } from '../incident/ports.js';
import type { Logger } from '../log.js';

export const EFFECTS_QUEUE = 'effects';

/** What a job does when it fires; the handler re-reads Postgres and decides. */
export interface JobHandlers {
  runEffects(incidentId: string): Promise<unknown>;
  sweep(): Promise<unknown>;
}

export interface JobsOptions {
  readonly url: string;
  readonly prefix: string;
  readonly sweepEveryMs?: number;
}

/**
 * BullMQ on Redis. A job carries only an incident ID and has a deterministic
 * ID, so scheduling it twice is harmless. The producer connection fails fast
 * when Redis is away (callers log it, the sweep recovers); the worker
 * connection waits for Redis to come back, as BullMQ requires.
 */
export function createJobs(options: JobsOptions, log: Logger) {
  const producer = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
  const consumer = new Redis(options.url, { maxRetriesPerRequest: null });
  for (const [name, conn] of [['producer', producer], ['worker', consumer]] as const) {
    conn.on('error', (err: Error) => log.warn({ redis: name, err: { message: err.message } }, 'redis connection error'));
  }
  const queue = new Queue(EFFECTS_QUEUE, { connection: producer, prefix: options.prefix });
  queue.on('error', (err) => log.warn({ err: { message: err.message } }, 'queue error'));
  let worker: Worker | undefined;

  const timers: Timers = {
    async retryEffects(incidentId, at) {
      await queue.add(
        'effects',
        { incidentId },
        { jobId: `effects-${incidentId}-${at.getTime()}`, delay: Math.max(0, at.getTime() - Date.now()), removeOnComplete: true, removeOnFail: 1000 },
      );
    },
  };

  return {
    timers,
    /** Readiness: resolves while Redis answers. */
    ping: () => producer.ping(),
    async start(handlers: JobHandlers): Promise<void> {
      await queue.waitUntilReady();
      await queue.upsertJobScheduler('effects-sweep', { every: options.sweepEveryMs ?? 30_000 }, { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } });
      worker = new Worker(
        EFFECTS_QUEUE,
        async (job: Job<{ incidentId?: string }>) => {
          if (job.name === 'sweep') return void (await handlers.sweep());
          if (job.data.incidentId) await handlers.runEffects(job.data.incidentId);
        },
        { connection: consumer, prefix: options.prefix, concurrency: 4 },
      );
      worker.on('failed', (job, err) => log.warn({ job: job?.id, err: { message: err.message } }, 'job failed'));
      worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
    },
    /** Graceful stop: lets running jobs finish, then closes connections. */
    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;
