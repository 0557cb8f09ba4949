import type { Incident } from './incident.js';
import type { Clock, Directory, IncidentStore, RecordStore } from './ports.js';
import type { Followup, PostmortemVersion } from './record-items.js';
import { refsOf } from './refs.js';
import { draftPostmortem } from './report.js';
import type { CommandContext, IncidentRef } from './requests.js';
import type { IncidentService } from './service.js';
import type { TimelineRecord } from './timeline.js';

/** How the chat tool's text reads: the people it mentions, and the text made plain with their names. */
export interface ChatText {
  people(text: string): string[];
  plain(text: string, names: ReadonlyMap<string, string>): string;
}

export interface PostmortemDeps {
  readonly incidents: IncidentService;
  readonly store: IncidentStore;
  readonly recordStore: RecordStore;
  readonly directory: Directory;
  readonly clock: Clock;
  /** Where a report goes when the incident has no war room. */
  readonly incidentsChannel: string;
  /** Chat text as the chat adapter reads it (it alone knows its markup). */
  readonly chatText: ChatText;
}

/** Rows read per query while gathering the record: memory per query stays flat, however long the timeline. */
const BATCH = 1_000;
/** The entry each draft adds: about the report, not the incident, so it is left out of the next draft. */
const REPORT_ENTRY = 'postmortem';

/** What `/incident postmortem` did: uploaded a new version, or found the record unchanged since one. */
export interface PostmortemOutcome {
  readonly incident: Incident;
  readonly version: PostmortemVersion;
  readonly uploaded: boolean;
}

/**
 * The post-incident report draft: built from the whole record (read in
 * batches), stored once per version, and uploaded with the full timeline
 * beside it when the draft groups a long one.
 */
export function createPostmortems(deps: PostmortemDeps) {
  const { recordStore, directory } = deps;

  async function wholeTimeline(incidentId: string): Promise<TimelineRecord[]> {
    const all: TimelineRecord[] = [];
    for (let afterId: number | null = null; ; ) {
      const page = await recordStore.timelinePage(incidentId, { afterId, limit: BATCH });
      all.push(...page.filter((e) => e.kind !== REPORT_ENTRY));
      if (page.length < BATCH) return all;
      afterId = page.at(-1)!.id;
    }
  }

  async function allFollowups(incidentId: string): Promise<Followup[]> {
    const all: Followup[] = [];
    for (let afterId = 0; ; ) {
      const page = await recordStore.followupsPage(incidentId, afterId, BATCH);
      all.push(...page);
      if (page.length < BATCH) return all;
      afterId = page.at(-1)!.id;
    }
  }

  async function namesOf(incident: Incident, ids: Iterable<string>): Promise<Map<string, string>> {
    const people = new Set<string>([
      incident.declaredBy,
      ...Object.values(incident.roles),
      ...(incident.ackedBy ? [incident.ackedBy] : []),
      ...ids,
    ]);
    return new Map(await Promise.all([...people].map(async (id) => [id, await directory.displayName(id)] as const)));
  }

  return {
    /** Builds the draft; a new version is stored and uploaded, an unchanged record points at the last upload. */
    async generate(ref: IncidentRef, ctx: CommandContext): Promise<PostmortemOutcome> {
      const incident = await deps.incidents.find(ref, ctx);
      const [timeline, updates, followups] = await Promise.all([
        wholeTimeline(incident.id),
        recordStore.updates(incident.id),
        allFollowups(incident.id),
      ]);
      const mentioned = new Set<string>([
        ...updates.map((u) => u.author),
        ...followups.flatMap((f) => (f.owner ? [f.owner] : [])),
      ]);
      for (const e of timeline) {
        for (const r of refsOf(e.data)) if (r.kind === 'person') mentioned.add(r.id);
        for (const id of deps.chatText.people(e.text)) mentioned.add(id);
      }
      const names = await namesOf(incident, mentioned);
      const now = deps.clock.now();
      const plain = (text: string) => deps.chatText.plain(text, names);
      const draft = draftPostmortem({ incident, timeline, updates, followups, names, plain, generatedAt: now });
      const version = await recordStore.savePostmortem(incident.id, draft, ctx.actor.userId, now);
      if (!version.created && version.fileId) return { incident, version, uploaded: false };

      const channel = incident.channelId ?? deps.incidentsChannel;
      if (draft.fullTimeline)
        await directory.upload(channel, {
          filename: draft.fullTimeline.filename,
          title: `Full timeline: ${incident.id}`,
          content: draft.fullTimeline.content,
          comment: `The full timeline of ${incident.id} (${timeline.length.toLocaleString('en-US')} entries), for the report draft below.`,
        });
      const fileId = await directory.upload(channel, {
        filename: `${incident.id}-postmortem.md`,
        title: `Post-incident report draft: ${incident.id}`,
        content: draft.markdown,
        comment: `Draft post-incident report for ${incident.id} (version ${version.version}), built from the timeline. Sections marked "to be written by the team" need you.`,
      });
      await recordStore.setPostmortemFile(version.id, fileId);
      await deps.store.addTimeline(incident.id, {
        at: now,
        actor: ctx.actor.userId,
        kind: REPORT_ENTRY,
        text: `Post-incident report draft version ${version.version} generated`,
        authorName: ctx.actor.name ?? (await directory.displayName(ctx.actor.userId)),
      });
      return { incident, version: { ...version, fileId }, uploaded: true };
    },
  };
}

export type Postmortems = ReturnType<typeof createPostmortems>;
