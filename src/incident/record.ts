import { UserError } from '../errors.js';
import type { Incident } from './incident.js';
import type { Policy } from './policy.js';
import type { Clock, Directory, Followup, IncidentStore, RecordStore, TimelineRecord } from './ports.js';
import { buildPostmortem } from './report.js';
import { parseStartedAt } from './scribe.js';
import type { CommandContext, IncidentRef, IncidentService } from './service.js';
import { computeStats, type SeverityStats } from './stats.js';

export interface RecordServiceDeps {
  readonly incidents: IncidentService;
  readonly store: IncidentStore;
  readonly record: RecordStore;
  readonly directory: Directory;
  readonly clock: Clock;
  readonly policy: Policy;
  /** Where a report goes when the incident has no war room. */
  readonly incidentsChannel: string;
}

export const TIMELINE_PAGE = 15;

/** A page of the timeline, for the viewer's time zone. */
export interface TimelinePage {
  readonly incident: Incident;
  readonly entries: readonly TimelineRecord[];
  readonly page: number;
  readonly pages: number;
  readonly tzOffsetS: number;
}

/**
 * The scribe's record: notes, follow-ups, the impact start, the timeline view,
 * the post-incident report and the metrics drawn from it.
 */
export function createRecordService(deps: RecordServiceDeps) {
  const { incidents, store, record, directory, clock, policy } = deps;
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
    ): Promise<{ incident: Incident; followup: Followup }> {
      const target = await incidents.find(ref, ctx);
      const due =
        given.due ??
        (given.dueInDays !== undefined
          ? new Date(clock.now().getTime() + given.dueInDays * 86_400_000).toISOString().slice(0, 10)
          : undefined);
      const item = { text: given.text, ...(given.owner && { owner: given.owner }), ...(due && { due }) };
      const authorName = await nameOf(ctx);
      let created: Followup | undefined;
      const { incident, applied } = await store.mutate(target.id, ctx.idempotencyKey, () => ({
        timeline: [
          {
            at: clock.now(),
            actor: ctx.actor.userId,
            kind: 'followup',
            text: `Follow-up: ${item.text}${item.owner ? ` (owner <@${item.owner}>)` : ''}${item.due ? ` due ${item.due}` : ''}`,
            authorName,
          },
        ],
        effects: [],
      }));
      if (applied)
        created = await record.addFollowup(target.id, {
          text: item.text,
          owner: item.owner ?? null,
          due: item.due ?? null,
          createdBy: ctx.actor.userId,
          createdAt: clock.now(),
        });
      return { incident, followup: created ?? (await record.followups(target.id)).at(-1)! };
    },

    async followups(ref: IncidentRef, ctx: CommandContext): Promise<{ incident: Incident; followups: Followup[] }> {
      const incident = await incidents.find(ref, ctx);
      return { incident, followups: await record.followups(incident.id) };
    },

    /** One page of the timeline, oldest first, with the viewer's UTC offset. */
    async timeline(ref: IncidentRef, page: number, ctx: CommandContext): Promise<TimelinePage> {
      const incident = await incidents.find(ref, ctx);
      const [all, tzOffsetS] = await Promise.all([record.timeline(incident.id), directory.tzOffset(ctx.actor.userId)]);
      const pages = Math.max(1, Math.ceil(all.length / TIMELINE_PAGE));
      const p = Math.min(Math.max(1, page), pages);
      return { incident, entries: all.slice((p - 1) * TIMELINE_PAGE, p * TIMELINE_PAGE), page: p, pages, tzOffsetS };
    },

    /** Builds the report, keeps it in Postgres and uploads it to the war room (or the incidents channel). */
    async postmortem(
      ref: IncidentRef,
      ctx: CommandContext,
    ): Promise<{ incident: Incident; markdown: string; fileId: string }> {
      const incident = await incidents.find(ref, ctx);
      const [timeline, updates, followups] = await Promise.all([
        record.timeline(incident.id),
        record.updates(incident.id),
        record.followups(incident.id),
      ]);
      const people = new Set<string>([
        incident.declaredBy,
        ...Object.values(incident.roles),
        ...(incident.ackedBy ? [incident.ackedBy] : []),
        ...updates.map((u) => u.author),
        ...followups.flatMap((f) => (f.owner ? [f.owner] : [])),
      ]);
      for (const e of timeline) for (const m of e.text.matchAll(/<@([UW][A-Z0-9]+)/g)) people.add(m[1]!);
      const names = new Map(
        await Promise.all([...people].map(async (id) => [id, await directory.displayName(id)] as const)),
      );
      const now = clock.now();
      const markdown = buildPostmortem({ incident, timeline, updates, followups, names, generatedAt: now });
      const id = await record.savePostmortem(incident.id, markdown, ctx.actor.userId, now);
      const fileId = await directory.upload(incident.channelId ?? deps.incidentsChannel, {
        filename: `${incident.id}-postmortem.md`,
        title: `Post-incident report draft: ${incident.id}`,
        content: markdown,
        comment: `Draft post-incident report for ${incident.id}, built from the timeline. Sections marked "to be written by the team" need you.`,
      });
      await record.setPostmortemFile(id, fileId);
      await store.addTimeline(incident.id, {
        at: now,
        actor: ctx.actor.userId,
        kind: 'postmortem',
        text: 'Post-incident report draft generated',
        authorName: await nameOf(ctx),
      });
      return { incident, markdown, fileId };
    },

    /** MTTA, MTTM, MTTR and update punctuality per severity over the last `windowMs`. Drills excluded. */
    async stats(windowMs: number): Promise<SeverityStats[]> {
      return computeStats(await record.history(new Date(clock.now().getTime() - windowMs)), policy);
    },
  };
}

export type RecordService = ReturnType<typeof createRecordService>;
