import type { NoticePayload } from './notice.js';
import type { PagingEffect } from './paging-ports.js';

/** A side effect recorded with the change that caused it and carried out after commit. */
export type EffectSpec =
  | { kind: 'war_room' }
  | { kind: 'announce' }
  | { kind: 'refresh' }
  | { kind: 'invite'; users: readonly string[] }
  | { kind: 'post'; target: 'room' | 'incidents'; notice: NoticePayload }
  /** A direct message to one user, or to each member of one user group. */
  | { kind: 'dm'; to: string; notice: NoticePayload }
  | PagingEffect;

/** A claimed effect, ready to run. */
export interface Effect {
  readonly id: number;
  readonly incidentId: string;
  readonly spec: EffectSpec;
  readonly attempts: number;
  /** An earlier attempt may have done the work (its answer was lost, or its process died mid-call). */
  readonly unsure: boolean;
}
