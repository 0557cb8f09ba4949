import type { Incident } from '../incident/incident.js';
import type { Preview, Run } from './run.js';
import type { RunMessage } from './run-actions.js';

/** The incident a run belongs to, as a notification names it; absent when it is no longer stored. */
export type RunIncident = Pick<Incident, 'id' | 'severity' | 'title' | 'drill'>;

/** What every notice carries: the run, its playbook's title, and its incident as last read. */
export interface RunAbout {
  readonly run: Run;
  readonly title: string;
  readonly incident: RunIncident | undefined;
}

/** What chat shows of a run; the chat adapter decides how it looks. */
export type RunNotice =
  /** The run's card as its state says: buttons while it awaits approval, the decision and result after. */
  | (RunAbout & { readonly kind: 'card' })
  | (RunAbout & {
      readonly kind: 'superseded';
      readonly preview: Preview;
      readonly reason: string;
      readonly approvedBy: string | null;
    })
  | (RunAbout & {
      readonly kind: 'applied';
      readonly preview: Preview;
      readonly approvedBy: string | null;
      readonly message: string;
    })
  | (RunAbout & RunMessage);
