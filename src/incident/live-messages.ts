/** What a live message is for. */
export type LiveRole = 'reminder' | 'page';

/** A posted message that is edited while it still asks something of someone. */
export interface LiveMessage {
  readonly role: LiveRole;
  readonly channel: string;
  readonly ts: string;
  /** What rendering it again needs: the reminder's due time, the escalation step. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The incident's live messages: kept when posted, dropped once they ask nothing more. */
export interface LiveMessages {
  /** The incident's live messages of `role`, oldest first. */
  list(incidentId: string, role: LiveRole): Promise<LiveMessage[]>;
  keep(incidentId: string, message: LiveMessage): Promise<void>;
  drop(incidentId: string, channel: string, ts: string): Promise<void>;
}
