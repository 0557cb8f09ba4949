/**
 * What each job carries, by job name: only IDs (and the due time or step a
 * prompt is about), for the handler to re-read Postgres and decide.
 */
export interface JobPayloads {
  readonly effects: { readonly incidentId: string };
  readonly update: { readonly incidentId: string; readonly dueMs: number };
  readonly escalate: { readonly incidentId: string; readonly level: string; readonly step: number };
  readonly 'run-actions': { readonly runId: string };
  readonly 'run-expire': { readonly runId: string };
  readonly alerts: Readonly<Record<string, never>>;
  readonly sweep: Readonly<Record<string, never>>;
  readonly retention: Readonly<Record<string, never>>;
}

/** The name of a job, which says what its payload is. */
export type JobName = keyof JobPayloads;

/** A job as scheduled: its name, deterministic ID, payload and when it falls due. */
export type Prompt = <N extends JobName>(name: N, jobId: string, data: JobPayloads[N], at: Date) => Promise<void>;
