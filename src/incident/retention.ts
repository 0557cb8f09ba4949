import type { Logger } from '../log.js';
import type { RetentionPolicy } from './policy.js';
import type { Clock, JobRecords, PurgeKind, RetentionStore } from './ports.js';

/** What retention removes, each under its own policy duration. */
export type RetentionTarget = PurgeKind | 'job_records';

export interface RetentionDeps {
  readonly store: RetentionStore;
  readonly jobs: JobRecords;
  readonly clock: Clock;
  readonly policy: RetentionPolicy;
  readonly log: Logger;
  /** Rows per delete: each statement stays short, whatever has piled up. */
  readonly batchSize?: number;
  /** Batches per target per run: a run stays bounded; the next run carries on. */
  readonly maxBatches?: number;
  /** Observes how many of each target one run removed. */
  readonly onPurged?: (target: RetentionTarget, count: number) => void;
}

/** What one run removed, and whether it reached everything that was due. */
export interface RetentionRun {
  readonly removed: Readonly<Record<RetentionTarget, number>>;
  readonly batches: number;
  readonly complete: boolean;
}

/**
 * Deletes what the retention policy no longer keeps, in bounded batches: never
 * one giant DELETE, never anything younger than the policy says, never an
 * effect or run action still to be carried out. Incidents and their record are not touched.
 */
export function createRetention(deps: RetentionDeps) {
  const batchSize = deps.batchSize ?? 1_000;
  const maxBatches = deps.maxBatches ?? 100;
  const { policy } = deps;
  const targets: readonly [RetentionTarget, number, (before: Date, limit: number) => Promise<number>][] = [
    ['idempotency_keys', policy.idempotencyKeysMs, (b, l) => deps.store.purge('idempotency_keys', b, l)],
    ['finished_effects', policy.finishedEffectsMs, (b, l) => deps.store.purge('finished_effects', b, l)],
    // A run's finished actions are its effects: kept as long as the incident's.
    ['finished_run_actions', policy.finishedEffectsMs, (b, l) => deps.store.purge('finished_run_actions', b, l)],
    ['job_records', policy.jobRecordsMs, (b, l) => deps.jobs.purge(b, l)],
    ['pages', policy.pagesMs, (b, l) => deps.store.purge('pages', b, l)],
    // Groups before digests: a digest goes only once no group it folded is left.
    ['alert_groups', policy.alertGroupsMs, (b, l) => deps.store.purge('alert_groups', b, l)],
    ['alert_digests', policy.alertGroupsMs, (b, l) => deps.store.purge('alert_digests', b, l)],
  ];

  return {
    async run(): Promise<RetentionRun> {
      const now = deps.clock.now().getTime();
      const removed = Object.fromEntries(targets.map(([t]) => [t, 0])) as Record<RetentionTarget, number>;
      let batches = 0;
      let complete = true;
      for (const [target, keepMs, purge] of targets) {
        const before = new Date(now - keepMs);
        for (let n = 1; ; n++) {
          const count = await purge(before, batchSize);
          batches++;
          removed[target] += count;
          if (count < batchSize) break;
          if (n === maxBatches) {
            complete = false;
            break;
          }
        }
        deps.onPurged?.(target, removed[target]);
      }
      if (!complete) deps.log.warn({ removed, batches }, 'retention reached its batch limit; the next run carries on');
      else if (Object.values(removed).some((n) => n > 0))
        deps.log.info({ removed, batches }, 'retention removed expired records');
      return { removed, batches, complete };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
