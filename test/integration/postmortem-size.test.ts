import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Node, Parser } from 'commonmark';
import { GROUP_THRESHOLD, PER_HOUR } from '../../src/incident/report-timeline.js';
import { type Harness, startHarness } from '../support/harness.js';

const CAPTURED = 5_000;
let h: Harness;
let id: string;
let room: string;

beforeAll(async () => {
  h = await startHarness();
  const text = await h.reply((await h.command('declare P1 A war room that talked a lot')).responseUrl);
  id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
  room = (
    await h.sql.query<{ channel_id: string }>(
      `SELECT channel_id FROM incidents WHERE id = $1 AND channel_id IS NOT NULL`,
      [id],
    )
  ).rows[0]!.channel_id;
  // Every tenth message spans lines that start like Markdown blocks; the rest are one line.
  await h.sql.query(
    `INSERT INTO timeline (incident_id, at, actor, kind, text, author_name, source_channel, source_ts, permalink, reactors)
     SELECT $1, i.declared_at - interval '3 hours' + g * interval '2 seconds', 'U0RESPOND2', 'captured',
       CASE WHEN g % 10 = 0 THEN 'Pool stats ' || g || E':\\n- active 50\\n- waiting 7\\n\\n# not a heading\\n1. nor a list'
            ELSE 'Message ' || g END,
       'ola', $2, (extract(epoch FROM i.declared_at)::bigint - 10800 + g * 2) || '.000300',
       'https://example.slack.com/archives/' || $2 || '/p' || g, ARRAY['U0RESPOND1']
     FROM incidents i CROSS JOIN generate_series(1, $3::int) AS g WHERE i.id = $1`,
    [id, room, CAPTURED],
  );
});
afterAll(async () => {
  await h.stop();
});

const run = async (text: string) => h.reply((await h.command(text, { channel: room })).responseUrl, 20_000);
const file = (name: string) => [...h.slack.files.values()].filter((f) => f.filename === name).at(-1);
const entries = async () =>
  (
    await h.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timeline WHERE incident_id = $1 AND removed_at IS NULL AND kind <> 'postmortem'`,
      [id],
    )
  ).rows[0]!.n;

/** Top-level list items under each `##`/`###` heading, as the CommonMark reference parser reads the file. */
function itemsBySection(markdown: string): Map<string, number> {
  const counts = new Map<string, number>();
  let heading = '';
  for (let node: Node | null = new Parser().parse(markdown).firstChild; node; node = node.next) {
    if (node.type === 'heading') heading = node.firstChild?.literal ?? '';
    if (node.type === 'list') {
      let n = 0;
      for (let item = node.firstChild; item; item = item.next) n++;
      counts.set(heading, (counts.get(heading) ?? 0) + n);
    }
  }
  return counts;
}

describe('the postmortem of a 5,000-entry incident', () => {
  let draft: string;
  let full: string;

  beforeAll(async () => {
    expect(await run('postmortem')).toContain('Version 1 of the post-incident report draft');
    draft = file(`${id}-postmortem.md`)!.content!;
    full = file(`${id}-timeline.md`)!.content!;
  });

  it('is a readable draft: the timeline grouped by hour, a few entries each, the rest counted', () => {
    expect(Buffer.byteLength(draft)).toBeLessThan(60_000);
    expect(draft).toContain(`Every entry is in \`${id}-timeline.md\`, uploaded with this draft.`);
    const hours = [...draft.matchAll(/^### \d{4}-\d{2}-\d{2} \d{2}:00 UTC · ([\d,]+) entr(y|ies)$/gm)];
    expect(hours.length).toBeGreaterThanOrEqual(3);
    expect(hours.reduce((n, m) => n + Number(m[1]!.replace(/,/g, '')), 0)).toBeGreaterThan(CAPTURED);
    // Each hour: up to PER_HOUR entries, and one line counting the rest when there are more.
    for (const [heading, items] of itemsBySection(draft)) {
      const inHour = /· ([\d,]+) entr/.exec(heading);
      if (!inHour) continue;
      const count = Number(inHour[1]!.replace(/,/g, ''));
      const expected = count > PER_HOUR ? PER_HOUR + 1 : count;
      expect({ heading, items }).toEqual({ heading, items: expected });
    }
    expect(draft).toMatch(/_…and [\d,]+ captured messages \(see `INC-[\d-]+-timeline\.md`\)\._/);
    expect(draft).toContain('## Action items');
  });

  it('attaches the full timeline, every entry one list item, multi-line messages included', async () => {
    const total = await entries();
    expect(total).toBeGreaterThan(GROUP_THRESHOLD);
    const items = [...itemsBySection(full).values()].reduce((a, b) => a + b, 0);
    expect(items).toBe(total);
    expect(full).toContain('Pool stats 10:  \n  - active 50');
    expect(file(`${id}-timeline.md`)!.channel).toBe(room);
  });

  it('is stored once per version: asking again with nothing new stores and uploads nothing', async () => {
    const uploads = h.slack.files.size;
    expect(await run('postmortem')).toContain('has changed since version 1');
    expect(h.slack.files.size).toBe(uploads);
    const rows = await h.sql.query('SELECT version FROM postmortems WHERE incident_id = $1', [id]);
    expect(rows.rows).toEqual([{ version: 1 }]);

    await run('note Found the bad config push');
    expect(await run('postmortem')).toContain('Version 2 of the post-incident report draft');
    const versions = await h.sql.query<{ version: number; size: number }>(
      'SELECT version, length(markdown) AS size FROM postmortems WHERE incident_id = $1 ORDER BY version',
      [id],
    );
    expect(versions.rows.map((r) => r.version)).toEqual([1, 2]);
    expect(file(`${id}-postmortem.md`)!.content).toContain('Found the bad config push');
  });
});
