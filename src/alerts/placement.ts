import type { Placement } from './alert-group.js';

/**
 * How fast alert cards may be posted: a channel takes about one message a
 * second (with short bursts), and the incidents channel also carries
 * announcements. Cards beyond this go into one digest message instead.
 */
export const CARD_BURST = 5;
export const CARD_WINDOW_MS = 5_000;
/** A digest takes every new group until this long passes without one: a storm stays in one message. */
export const STORM_QUIET_MS = 60_000;
/** The digest is edited at most this often (chat.update shares Tier 3 with every card edit). */
export const DIGEST_EDIT_EVERY_MS = 2_000;

/** How the channel stands when new groups are to be shown. */
export interface ChannelState {
  /** Cards posted within the last `CARD_WINDOW_MS`. */
  readonly recentCards: number;
  /** A digest has taken a group within the last `STORM_QUIET_MS`. */
  readonly digestOpen: boolean;
}

/**
 * Where each of `count` new groups goes, oldest first: a card of its own
 * while the channel has room for one, else the digest. Once a group goes to
 * the digest, the rest of the storm follows it there, so one message holds it.
 */
export function place(count: number, state: ChannelState): Placement[] {
  let room = state.digestOpen ? 0 : Math.max(0, CARD_BURST - state.recentCards);
  return Array.from({ length: count }, () => {
    if (room > 0) {
      room -= 1;
      return 'card';
    }
    return 'digest';
  });
}
