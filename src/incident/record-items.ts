/** Why a Slack message is on the timeline. */
export type CaptureReason = { reactor: string } | { pinned: true } | { scribe: true };

/** A Slack message captured onto the timeline. */
export interface Capture {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | null;
  readonly userId: string;
  readonly authorName: string;
  readonly text: string;
  readonly permalink: string | null;
  /** When the message was posted. */
  readonly at: Date;
}

/** A follow-up action item. */
export interface Followup {
  readonly id: number;
  readonly text: string;
  readonly owner: string | null;
  readonly due: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** A report draft and what identifies its content, whenever it was generated. */
export interface PostmortemDraft {
  readonly markdown: string;
  readonly fingerprint: string;
}

/** One stored version of an incident's report draft. */
export interface PostmortemVersion {
  readonly id: number;
  readonly version: number;
  readonly created: boolean;
  readonly createdAt: Date;
  readonly fileId: string | null;
}

/** A Slack message as capture needs it. */
export interface SourceMessage {
  readonly userId: string;
  readonly text: string;
  readonly threadTs: string | null;
  /** Set when a bot (the app itself included) posted it. */
  readonly botId: string | null;
  /** When it was posted, as the chat tool says (the entry keeps the message's own time). */
  readonly at: Date;
}
