/** One place that knows what each step acts on: the cluster, a database or a Redis. */
import { executeStep, observe, previewStep } from './change-steps.js';
import type { Observed } from './cluster-views.js';
import { readDatabase } from './database-reads.js';
import type { Diagnostics } from './diag-ports.js';
import type { Step } from './playbook-schema.js';
import type { Cluster } from './ports.js';
import { readStep } from './read-steps.js';
import { readRedis } from './redis-reads.js';
import type { Preview } from './run.js';
import { stepTarget } from './template.js';
import {
  type Applied,
  executeTerminate,
  type NothingToDo,
  observeBackends,
  previewTerminate,
} from './terminate-step.js';

/** What steps act on. */
export interface StepDeps {
  readonly cluster: Cluster;
  readonly diagnostics: Diagnostics;
  /** Waits between cancelling and terminating backends. */
  readonly sleep: (ms: number) => Promise<void>;
}

/** A read-only step's result; `attach` when its lines belong on the incident timeline as they are. */
export interface ReadResult {
  readonly ok: boolean;
  readonly lines: readonly string[];
  readonly attach: boolean;
}

/** Reads, dry runs, checks and applies steps, each on what it acts on. */
export function createSteps(deps: StepDeps) {
  const { cluster, diagnostics } = deps;
  return {
    async read(step: Step, onProgress: (line: string) => void): Promise<ReadResult> {
      switch (step.action) {
        case 'pg-activity':
        case 'pg-locks':
        case 'pg-slow-queries':
          return { ok: true, lines: await readDatabase(diagnostics.databases, step), attach: true };
        case 'redis-info':
          return { ok: true, lines: await readRedis(diagnostics.redis, step), attach: true };
        default:
          return { ...(await readStep(cluster, step, onProgress)), attach: false };
      }
    },

    /** The dry run people approve, or nothing to approve. */
    preview(step: Step, index: number, now: Date, token: string): Promise<Preview | NothingToDo> {
      if (step.action === 'pg-terminate') return previewTerminate(diagnostics.databases, step, index, token);
      return previewStep(cluster, step, index, now, token);
    },

    /** A fresh read of what an approved step acts on, to tell whether it already landed. */
    observe(step: Step, preview: Preview): Promise<Observed> {
      if (step.action === 'pg-terminate') return observeBackends(diagnostics.databases, step, preview);
      return observe(cluster, step);
    },

    async execute(step: Step, preview: Preview, now: Date): Promise<Applied> {
      if (step.action === 'pg-terminate') return executeTerminate(diagnostics.databases, step, preview, deps.sleep);
      return { message: await executeStep(cluster, step, preview, now) };
    },
  };
}

/** The heading of a step's lines in a run's messages: its action and what it acts on. */
export const stepLine = (step: Step) => `${step.action} ${stepTarget(step)}`;
/** A step's lines, under its heading. */
export const indent = (lines: readonly string[]) => lines.map((l) => `  ${l}`);
