import type { EffectSpec } from './effect-spec.js';
import type { Notice } from './notice.js';

/**
 * How urgent a piece of Slack work is, most urgent first. When Slack's rate
 * limits make work wait, the announcement, the war room and pages go before
 * ordinary notices, and those before card edits and topics.
 */
export const IMPORTANCE = { urgent: 0, normal: 1, background: 2 } as const;
export type Importance = (typeof IMPORTANCE)[keyof typeof IMPORTANCE];

/** Notices that tell people something is wrong or needs them now. */
const URGENT_NOTICES: ReadonlySet<Notice['kind']> = new Set([
  'alert',
  'card',
  'escalation',
  'room_ready',
  'page_failed',
]);

/** The importance of posting (or direct-messaging) a notice of this kind. */
export function noticeImportance(kind: Notice['kind']): Importance {
  return URGENT_NOTICES.has(kind) ? IMPORTANCE.urgent : IMPORTANCE.normal;
}

/** The order an incident's due effects are claimed in: lower runs first. */
export function effectPriority(spec: EffectSpec): number {
  switch (spec.kind) {
    case 'announce':
    case 'page':
      return 0;
    case 'war_room':
    case 'invite':
    case 'oncall':
      return 1;
    case 'post':
    case 'dm':
      return spec.notice.kind === 'escalation' ? 0 : 2;
    case 'refresh':
      return 3;
  }
}
