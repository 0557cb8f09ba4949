import type { EffectSpec } from './effect-spec.js';
import type { Incident, Role, StatusUpdate } from './incident.js';
import type { Followup } from './record-items.js';
import type { TimelineEntry } from './timeline.js';

/** The changes one command makes, applied atomically with its timeline and effects. */
export interface Mutation {
  readonly patch?: Partial<
    Pick<
      Incident,
      | 'severity'
      | 'status'
      | 'resolvedAt'
      | 'resolution'
      | 'nextUpdateDue'
      | 'ackedAt'
      | 'ackedBy'
      | 'impactStartedAt'
      | 'mitigatedAt'
    >
  >;
  readonly role?: { role: Role; userId: string };
  readonly update?: Omit<StatusUpdate, 'id'> & { nextDue: Date; dueAt: Date | null };
  /** An escalation step fired by this change (`LEVEL/STEP`). */
  readonly escalated?: string;
  /** A follow-up recorded with the change, in the same transaction. */
  readonly followup?: Omit<Followup, 'id'>;
  readonly timeline: readonly TimelineEntry[];
  readonly effects: readonly EffectSpec[];
}

export interface NewIncident {
  readonly severity: string;
  readonly title: string;
  readonly impact: string | null;
  readonly services: readonly string[];
  readonly declaredBy: string;
  readonly declaredAt: Date;
  readonly drill: boolean;
  readonly nextUpdateDue: Date;
}
