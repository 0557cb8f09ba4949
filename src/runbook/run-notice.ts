import type { Preview, Run } from './run.js';
import type { RunMessage } from './run-actions.js';

/** What chat shows of a run; the chat adapter decides how it looks. */
export type RunNotice =
  /** The run's card as its state says: buttons while it awaits approval, the decision and result after. */
  | { readonly kind: 'card'; readonly run: Run; readonly title: string }
  | {
      readonly kind: 'superseded';
      readonly run: Run;
      readonly title: string;
      readonly preview: Preview;
      readonly reason: string;
      readonly approvedBy: string | null;
    }
  | {
      readonly kind: 'applied';
      readonly run: Run;
      readonly title: string;
      readonly preview: Preview;
      readonly approvedBy: string | null;
      readonly message: string;
    }
  | ({ readonly run: Run; readonly title: string } & RunMessage);
