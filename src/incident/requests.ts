import type { EffectFailure } from './effect-failures.js';
import type { Actor, Incident } from './incident.js';

/** Where a command was typed, and the key that makes a repeat delivery harmless. */
export interface CommandContext {
  readonly actor: Actor;
  readonly channelId: string;
  readonly idempotencyKey?: string;
  /** How long to wait for the Slack side before answering (a webhook answers at once); the reply default otherwise. */
  readonly waitForEffectsMs?: number;
}

/** Names an incident: an explicit ID, or the war room the command was typed in. */
export interface IncidentRef {
  readonly id?: string;
}

export interface DeclareInput {
  readonly severity: string;
  readonly title: string;
  readonly impact?: string | null;
  readonly services?: readonly string[];
  readonly drill?: boolean;
}

/** What a command did, for the reply to the person who typed it. */
export interface Outcome {
  readonly incident: Incident;
  /** True when this delivery repeated one already handled. */
  readonly duplicate: boolean;
  readonly failures: readonly EffectFailure[];
  /** Slack work still under way when the reply went out (it waits on Slack's rate limits). */
  readonly pending: boolean;
}

/** One page of `/incident list`. */
export interface OpenPage {
  readonly incidents: readonly Incident[];
  /** Open incidents in all, across pages. */
  readonly total: number;
}
