/** A line on the incident's timeline: who did what, and when. */
export interface TimelineEntry {
  readonly at: Date;
  readonly actor: string;
  readonly kind: string;
  readonly text: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** The actor's display name, resolved when the entry was made. */
  readonly authorName?: string | null;
}

/** A timeline entry as read back, with what capture adds. */
export interface TimelineRecord extends TimelineEntry {
  readonly id: number;
  readonly permalink: string | null;
  readonly threadTs: string | null;
  readonly editedAt: Date | null;
  readonly deletedAt: Date | null;
}

/**
 * A window of the timeline in (time, ID) order: after or before an entry,
 * named by its ID (the entry itself is left out; a null `afterId` starts at the
 * beginning), or at an offset, for a typed page number.
 */
export type TimelineQuery =
  | { readonly afterId: number | null; readonly limit: number }
  | { readonly beforeId: number; readonly limit: number }
  | { readonly offset: number; readonly limit: number };
