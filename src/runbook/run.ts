/** A runbook run as stored, and what its approval binds to. */
import type { RevisionView } from './cluster-views.js';
import type { BackendKey } from './database-views.js';

/** States of a run; changes between them are conditional, so each happens once. */
export type RunState =
  | 'awaiting_approval'
  | 'approved'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'denied'
  | 'expired'
  | 'interrupted'
  | 'withdrawn';

/** What an approval is for: the target's spec as previewed. Status writes never change it. */
export interface SpecBinding {
  /** The deployment's metadata.generation (null for a ConfigMap or a list of backends, which have none). */
  readonly generation: number | null;
  /** Digest of exactly what the step applies: the pod template, the replicas, the ConfigMap key's value, or the backends. */
  readonly digest: string;
  /** What the preview saw, to say what changed when it no longer holds. */
  readonly seen: {
    readonly replicas?: number;
    readonly images?: readonly string[];
    readonly revision?: number;
    readonly value?: string | null;
    /** The rollback target, pinned: if its template changes, the rollback is not applied. */
    readonly rollbackTo?: RevisionView;
    /** The backends a `pg-terminate` approval is for: each is ended only while it is still this session and statement. */
    readonly backends?: readonly BackendKey[];
  };
}

/** What a dry run showed would change: the preview people approve. */
export interface Preview {
  readonly step: number;
  readonly action: string;
  readonly target: string;
  readonly lines: readonly string[];
  /** Ties the card's buttons to this preview: a click carrying another token is refused. */
  readonly token: string;
  readonly binding: SpecBinding;
  /** Why the preview before this one was not run, shown at the top of its card. */
  readonly replaces?: string;
}

/** A runbook run as stored. */
export interface Run {
  readonly id: string;
  readonly incidentId: string;
  readonly playbook: string;
  readonly params: Readonly<Record<string, string | number>>;
  readonly target: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  /** The incident commander when the run was requested: a later IC is not an approver of it. */
  readonly commander: string;
  readonly state: RunState;
  readonly step: number;
  readonly preview: Preview | null;
  readonly expiresAt: Date | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly channel: string | null;
  readonly cardTs: string | null;
  readonly progressTs: string | null;
  readonly outcome: string | null;
}

/** A new run: its first action is stored with it. */
export type NewRun = Omit<
  Run,
  'decidedBy' | 'decidedAt' | 'cardTs' | 'progressTs' | 'outcome' | 'preview' | 'expiresAt'
> & {
  /** Every target the run changes, `target` first: each is held, one active run per target, until the run ends. */
  readonly holds: readonly string[];
};

/** States in which a run holds its targets. */
export const ACTIVE_STATES: readonly RunState[] = ['awaiting_approval', 'approved', 'running'];

/** What a state change writes besides the state; absent fields keep their value. */
export type RunChange = Partial<Pick<Run, 'step' | 'preview' | 'expiresAt' | 'decidedBy' | 'decidedAt' | 'outcome'>> & {
  finished?: Date;
  /** `null` forgets the card: a new preview gets a card of its own. */
  cardTs?: null;
};

/** Where the run's chat messages are, recorded as they are posted. */
export interface RunMessages {
  readonly channel?: string;
  readonly cardTs?: string;
  readonly progressTs?: string;
}
