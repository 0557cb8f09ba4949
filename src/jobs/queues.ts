import { type Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlertTimers } from '../alerts/ports.js';
import type { JobRecords, Timers } from '../incident/ports.js';
import type { Logger } from '../log.js';
import type { RunTimers } from '../runbook/run-ports.js';

export const QUEUE = 'incidents';

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

interface JobData {
  runId?: string;
  incidentId?: string;
  dueMs?: number;
  level?: string;
  step?: number;
}

/** What each run job carries, by job name: only the run's ID, for the handler to re-read. */
export interface RunJobData {
  readonly 'run-actions': { readonly runId: string };
  readonly 'run-expire': { readonly runId: string };
}

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

  const prompt = async (name: string, jobId: string, data: JobData, at: Date) => {
    await queue.add(name, data, {
      jobId,
      delay: Math.max(0, at.getTime() - Date.now()),
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  };
  const timers: Timers = {
    retryEffects: (incidentId, at) => prompt('effects', `effects-${incidentId}-${at.getTime()}`, { incidentId }, at),
    updateDue: (incidentId, due) =>
      prompt('update', `update-${incidentId}-${due.getTime()}`, { incidentId, dueMs: due.getTime() }, due),
    escalationDue: (incidentId, level, step, at) =>
      prompt('escalate', `esc-${incidentId}-${level}-${step}`, { incidentId, level, step }, at),
  };
  const runJob = <N extends keyof RunJobData>(name: N, jobId: string, data: RunJobData[N], at: Date) =>
    prompt(name, jobId, data, at);
  const runTimers: RunTimers = {
    actions: (runId, at) => runJob('run-actions', `run-${runId}-${at.getTime()}`, { runId }, at),
    expire: (runId, at) => runJob('run-expire', `expire-${runId}-${at.getTime()}`, { runId }, at),
  };
  const alertTimers: AlertTimers = {
    publish: (at) => prompt('alerts', `alerts-${at.getTime()}`, {}, at),
  };
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
      worker = new Worker(
        QUEUE,
        async (job: Job<JobData>) => {
          options.onLag?.(Math.max(0, Date.now() - job.timestamp - (job.opts.delay ?? 0)) / 1000);
          const d = job.data;
          switch (job.name) {
            case 'sweep':
              return void (await handlers.sweep());
            case 'retention':
              return void (await handlers.retention());
            case 'update':
              return void (await handlers.updateDue(d.incidentId!, d.dueMs!));
            case 'escalate':
              return void (await handlers.escalationDue(d.incidentId!, d.level!, d.step!));
            case 'run-actions':
              return void (await handlers.runActions((d as RunJobData['run-actions']).runId));
            case 'run-expire':
              return void (await handlers.expireRun((d as RunJobData['run-expire']).runId));
            case 'alerts':
              return void (await handlers.publishAlerts?.());
            default:
              return void (d.incidentId && (await handlers.runEffects(d.incidentId)));
          }
        },
        { connection: consumer, prefix: options.prefix, concurrency: 8 },
      );
      worker.on('failed', (job, err) => log.warn({ job: job?.id, err: { message: err.message } }, 'job failed'));
      worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'worker error'));
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
