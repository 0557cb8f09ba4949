import { Queue, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { JobRecords } from '../incident/ports.js';
import type { Logger } from '../log.js';
import type { Prompt } from './payloads.js';
import { createTimers } from './timers.js';
import { createWorker, type JobHandlers } from './worker.js';

export const QUEUE = 'incidents';

export interface JobsOptions {
  readonly url: string;
  readonly prefix: string;
  readonly sweepEveryMs: number;
  readonly retentionEveryMs: number;
  /** Observes how late each job started after it fell due. */
  readonly onLag?: (seconds: number) => void;
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
  for (const [name, conn] of [
    ['producer', producer],
    ['worker', consumer],
  ] as const) {
    conn.on('error', (err: Error) =>
      log.warn({ redis: name, err: { message: err.message } }, 'redis connection error'),
    );
  }
  const queue = new Queue(QUEUE, { connection: producer, prefix: options.prefix });
  queue.on('error', (err) => log.warn({ err: { message: err.message } }, 'queue error'));
  let worker: Worker | undefined;

  const prompt: Prompt = async (name, jobId, data, at) => {
    await queue.add(name, data, {
      jobId,
      delay: Math.max(0, at.getTime() - Date.now()),
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  };
  const { timers, runTimers, alertTimers } = createTimers(prompt);
  const upsertSchedulers = () =>
    Promise.all([
      queue.upsertJobScheduler(
        'sweep',
        { every: options.sweepEveryMs },
        { name: 'sweep', opts: { removeOnComplete: true, removeOnFail: 100 } },
      ),
      queue.upsertJobScheduler(
        'retention',
        { every: options.retentionEveryMs },
        { name: 'retention', opts: { removeOnComplete: true, removeOnFail: 100 } },
      ),
    ]);
  /** Records of ended jobs, removed through BullMQ's bounded `clean`: failed ones first. */
  const jobRecords: JobRecords = {
    async purge(before, limit) {
      const grace = Math.max(0, Date.now() - before.getTime());
      const failed = await queue.clean(grace, limit, 'failed');
      // `clean` takes a limit of 0 as no limit at all.
      const completed = failed.length < limit ? await queue.clean(grace, limit - failed.length, 'completed') : [];
      return failed.length + completed.length;
    },
  };

  return {
    timers,
    runTimers,
    alertTimers,
    jobRecords,
    /** Readiness: resolves while Redis answers. */
    ping: () => producer.ping(),
    async start(handlers: JobHandlers): Promise<void> {
      await queue.waitUntilReady();
      await upsertSchedulers();
      let readies = 0;
      producer.on('ready', () => {
        if (++readies === 1) return;
        log.warn('redis is back; rebuilding clocks from Postgres');
        void upsertSchedulers()
          .then(() => handlers.rebuild())
          .catch((err: unknown) =>
            log.warn({ err }, 'rebuild after redis reconnect failed; the next reconnect or restart retries'),
          );
      });
      if (producer.status === 'ready') readies = 1;
      worker = createWorker(
        QUEUE,
        { connection: consumer, prefix: options.prefix, onLag: options.onLag },
        handlers,
        log,
      );
    },
    /** Takes no more jobs and waits for the running ones; the queue stays open for work still finishing. */
    async stopWorker(): Promise<void> {
      await worker?.close();
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
