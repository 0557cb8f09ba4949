import { UserError } from '../errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import type { Clock, Directory, IncidentStore, RecordStore, StatsStore } from './ports.js';
import type { Followup } from './record-items.js';
import { person } from './refs.js';
import type { CommandContext, IncidentRef } from './requests.js';
import { parseStartedAt } from './scribe.js';
import type { IncidentService } from './service.js';
import { type SeverityStats, statsInPolicyOrder } from './stats.js';
import type { TimelineQuery, TimelineRecord } from './timeline.js';

export interface RecordServiceDeps {
  readonly incidents: IncidentService;
  readonly store: IncidentStore;
  readonly recordStore: RecordStore;
  readonly stats: StatsStore;
  readonly directory: Directory;
  readonly clock: Clock;
  readonly policy: Policy;
}

export const TIMELINE_PAGE = 15;
export const FOLLOWUPS_PAGE = 20;

/**
 * Where a timeline view starts: a typed page number, or a page button, which
 * continues after (or before) the entry at the edge of the page it was on, so
 * entries added meanwhile never shift what the next page shows.
 */
export type TimelineStart =
  | { readonly page: number }
  | { readonly page: number; readonly afterId: number }
  | { readonly page: number; readonly beforeId: number };

/** A page of the timeline, for the viewer's time zone. */
export interface TimelinePage {
  readonly incident: Incident;
  readonly entries: readonly TimelineRecord[];
  readonly page: number;
  readonly pages: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
  readonly tzOffsetS: number;
}

/** A page of follow-ups; `before` were shown on earlier pages. */
export interface FollowupsPage {
  readonly incident: Incident;
  readonly followups: readonly Followup[];
  readonly before: number;
  readonly total: number;
}

/**
 * The scribe's record: notes, follow-ups, the impact start, the timeline view
 * and the metrics drawn from it.
 */
export function createRecordService(deps: RecordServiceDeps) {
  const { incidents, store, recordStore, directory, clock, policy } = deps;
  const nameOf = async (ctx: CommandContext) => ctx.actor.name ?? (await directory.displayName(ctx.actor.userId));

  return {
    /** `/incident note`: a line on the timeline in the author's name. */
    async note(ref: IncidentRef, text: string, ctx: CommandContext): Promise<Incident> {
      const target = await incidents.find(ref, ctx);
      const authorName = await nameOf(ctx);
      const { incident } = await store.mutate(target.id, ctx.idempotencyKey, () => ({
        timeline: [{ at: clock.now(), actor: ctx.actor.userId, kind: 'note', text, authorName }],
        effects: [],
      }));
      return incident;
    },

    /** `/incident started 14:05`: when the impact began, in the typist's time zone. */
    async started(ref: IncidentRef, when: string, ctx: CommandContext): Promise<Incident> {
      const target = await incidents.find(ref, ctx);
      const at = parseStartedAt(when, clock.now(), await directory.tzOffset(ctx.actor.userId));
      if (at > target.declaredAt)
        throw new UserError(
          'usage',
          `Impact cannot start after the incident was declared (${target.declaredAt.toISOString().slice(11, 16)} UTC).`,
        );
      const authorName = await nameOf(ctx);
      const { incident } = await store.mutate(target.id, ctx.idempotencyKey, () => ({
        patch: { impactStartedAt: at },
        timeline: [
          {
            at: clock.now(),
            actor: ctx.actor.userId,
            kind: 'impact_started',
            text: `Impact start set to ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
            authorName,
            data: { impactStartedAt: at.toISOString() },
          },
        ],
        effects: [],
      }));
      return incident;
    },

    /** `/incident followup`: an action item with an optional owner and due date. */
    async followup(
      ref: IncidentRef,
      given: { text: string; owner?: string; due?: string; dueInDays?: number },
      ctx: CommandContext,
    ): Promise<{ incident: Incident; followup: Omit<Followup, 'id'> }> {
      const target = await incidents.find(ref, ctx);
      const due =
        given.due ??
        (given.dueInDays !== undefined
          ? new Date(clock.now().getTime() + given.dueInDays * 86_400_000).toISOString().slice(0, 10)
          : undefined);
      const authorName = await nameOf(ctx);
      const followup = {
        text: given.text,
        owner: given.owner ?? null,
        due: due ?? null,
        createdBy: ctx.actor.userId,
        createdAt: clock.now(),
      };
      const { incident } = await store.mutate(target.id, ctx.idempotencyKey, () => ({
        timeline: [
          {
            at: clock.now(),
            actor: ctx.actor.userId,
            kind: 'followup',
            text: `Follow-up: ${followup.text}${followup.due ? ` due ${followup.due}` : ''}${followup.owner ? '; owner' : ''}`,
            ...(followup.owner && { data: { refs: [person(followup.owner)] } }),
            authorName,
          },
        ],
        followup,
        effects: [],
      }));
      return { incident, followup };
    },

    /** A page of follow-ups, in the order they were recorded, after the one with ID `afterId`. */
    async followups(ref: IncidentRef, ctx: CommandContext, from = { afterId: 0, before: 0 }): Promise<FollowupsPage> {
      const incident = await incidents.find(ref, ctx);
      const [followups, total] = await Promise.all([
        recordStore.followupsPage(incident.id, from.afterId, FOLLOWUPS_PAGE),
        recordStore.followupCount(incident.id),
      ]);
      return { incident, followups, before: from.before, total };
    },

    /** One page of the timeline, oldest first, with the viewer's UTC offset; reads only that page. */
    async timeline(ref: IncidentRef, start: TimelineStart, ctx: CommandContext): Promise<TimelinePage> {
      const incident = await incidents.find(ref, ctx);
      const [total, tzOffsetS] = await Promise.all([
        recordStore.timelineCount(incident.id),
        directory.tzOffset(ctx.actor.userId),
      ]);
      const pages = Math.max(1, Math.ceil(total / TIMELINE_PAGE));
      const page = Math.min(Math.max(1, start.page), pages);
      // One entry more than a page says whether there is another page that way.
      const limit = TIMELINE_PAGE + 1;
      let query: TimelineQuery = { offset: (page - 1) * TIMELINE_PAGE, limit };
      if ('afterId' in start) query = { afterId: start.afterId, limit };
      if ('beforeId' in start) query = { beforeId: start.beforeId, limit };
      const found = await recordStore.timelinePage(incident.id, query);
      const backwards = 'beforeId' in start;
      const more = found.length > TIMELINE_PAGE;
      const entries = backwards ? found.slice(-TIMELINE_PAGE) : found.slice(0, TIMELINE_PAGE);
      return {
        incident,
        entries,
        page,
        pages,
        hasPrevious: backwards ? more : 'afterId' in start || page > 1,
        hasNext: backwards || more,
        tzOffsetS,
      };
    },

    /** MTTA, MTTM, MTTR and update punctuality per severity over the last `windowMs`. Drills excluded. */
    async stats(windowMs: number): Promise<SeverityStats[]> {
      return statsInPolicyOrder(await deps.stats.severityStats(new Date(clock.now().getTime() - windowMs)), policy);
    },
  };
}

export type RecordService = ReturnType<typeof createRecordService>;
