import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness } from '../support/harness.js';

let h: Harness;
let id: string;
let declaredAt: Date;
let clicks = 0;

beforeAll(async () => {
  h = await startHarness();
  const text = await h.reply((await h.command('declare P3 Paging through a long record')).responseUrl);
  id = /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
  declaredAt = (await h.sql.query('SELECT declared_at FROM incidents WHERE id = $1', [id])).rows[0].declared_at;
});
afterAll(async () => {
  await h.stop();
});

interface Reply {
  text: string;
  buttons: Map<string, string>;
  body: Record<string, unknown>;
}

function read(body: Record<string, unknown>): Reply {
  const blocks = (body.blocks ?? []) as { type: string; elements?: { action_id: string; value: string }[] }[];
  const buttons = new Map(
    blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => [e.action_id, e.value])),
  );
  return { text: JSON.stringify(body.blocks ?? body.text), buttons, body };
}

async function command(text: string): Promise<Reply> {
  const { responseUrl } = await h.command(text);
  await h.reply(responseUrl);
  return read(h.slack.responses.find((r) => r.url === responseUrl)!.body);
}

/** Clicks a page button as Slack sends it; the bot answers on the click's response_url. */
async function click(actionId: string, value: string): Promise<Reply> {
  const path = `/respond/page-click-${++clicks}`;
  const res = await h.interact(
    blockAction({
      actionId,
      value,
      user: 'U0DECLARER',
      channel: h.slack.channelByName('general')!.id,
      messageTs: '1700000000.000100',
      responseUrl: `${h.slack.url}${path}`,
      triggerId: h.slack.issueTrigger(),
      blockId: 'pages',
    }),
  );
  expect(res.status).toBe(200);
  await h.reply(path);
  return read(h.slack.responses.find((r) => r.url === path)!.body);
}

/** Adds notes `label-N` at `declaredAt + seconds`; several may share a time. */
async function addNotes(label: string, seconds: readonly number[]): Promise<void> {
  await h.sql.query(
    `INSERT INTO timeline (incident_id, at, actor, kind, text, author_name)
     SELECT $1, $2::timestamptz + s * interval '1 second', 'U0DECLARER', 'note', $3 || '-' || n, 'dana'
     FROM unnest($4::int[]) WITH ORDINALITY AS x(s, n)`,
    [id, declaredAt, label, seconds],
  );
}

/** The notes a page shows of one label (`old`), or of numbered labels (`new` matches new0-1, new1-1). */
const labels = (r: Reply, label: string) => [...r.text.matchAll(new RegExp(`${label}\\d*-\\d+`, 'g'))].map((m) => m[0]);

describe('/incident timeline pages', () => {
  it('shows every entry exactly once across pages while entries are added between clicks', async () => {
    // 40 entries, in pairs that share a time, so the order falls back on the ID.
    await addNotes(
      'old',
      Array.from({ length: 40 }, (_, n) => 10 + Math.floor(n / 2)),
    );
    const first = await command(`timeline ${id}`);
    expect(first.text).toMatch(/Page 1 of 3/);
    const seen = [...labels(first, 'old')];
    let page = first;
    let added = 0;
    while (page.buttons.has('timeline_next')) {
      // Between pages: one entry earlier than anything shown (a message captured late, with its own old time),
      // one at the very time of the last entry shown, and one newer than everything.
      const value = page.buttons.get('timeline_next')!;
      const edge = (await h.sql.query('SELECT at FROM timeline WHERE id = $1', [JSON.parse(value).a])).rows[0].at;
      await addNotes(`late${added}`, [1]);
      await addNotes(`tie${added}`, [(edge.getTime() - declaredAt.getTime()) / 1000]);
      await addNotes(`new${added}`, [1000 + added]);
      added++;
      page = await click('timeline_next', value);
      expect(page.body.replace_original).toBe(true);
      seen.push(...labels(page, 'old'), ...labels(page, 'tie'), ...labels(page, 'new'), ...labels(page, 'late'));
    }
    const olds = seen.filter((l) => l.startsWith('old-'));
    expect(olds).toEqual(Array.from({ length: 40 }, (_, n) => `old-${n + 1}`));
    expect(new Set(seen).size).toBe(seen.length);
    // What was added after the page being read turns up on a later page; what was added before it does not repeat.
    expect(seen.filter((l) => l.startsWith('new')).length).toBe(added);
    expect(seen.filter((l) => l.startsWith('tie')).length).toBe(added);
    expect(seen.some((l) => l.startsWith('late'))).toBe(false);
  });

  it('goes back a page from where it is, and a typed page number still works', async () => {
    const first = await command(`timeline ${id}`);
    const second = await click('timeline_next', first.buttons.get('timeline_next')!);
    expect(second.text).toMatch(/Page 2 of \d/);
    const back = await click('timeline_previous', second.buttons.get('timeline_previous')!);
    expect(back.text).toMatch(/Page 1 of \d/);
    expect(labels(back, 'old')).toEqual(labels(first, 'old'));
    expect(back.buttons.has('timeline_previous')).toBe(false);
    const typed = await command(`timeline ${id} 2`);
    expect(typed.text).toMatch(/Page 2 of \d/);
    expect(labels(typed, 'old')[0]).toBe(labels(second, 'old')[0]);
  });

  it('answers a tampered page button with a clear message, not an error', async () => {
    const reply = await click('timeline_next', '{"i":"INC-2026-0101-001","p":"two"}');
    expect(reply.text).toContain('Run the command again');
  });
});

describe('/incident followups pages', () => {
  it('numbers follow-ups across pages and shows each once', async () => {
    await h.sql.query(
      `INSERT INTO followups (incident_id, text, created_by, created_at)
       SELECT $1, 'Action ' || n, 'U0DECLARER', now() FROM generate_series(1, 25) AS n`,
      [id],
    );
    const first = await command(`followups ${id}`);
    expect(first.text).toContain('1. Action 1 ·');
    expect(first.text).toContain('20. Action 20 ·');
    expect(first.text).not.toContain('Action 21 ·');
    const second = await click('followups_next', first.buttons.get('followups_next')!);
    expect(second.text).toContain('21. Action 21 ·');
    expect(second.text).toContain('25. Action 25 ·');
    expect(second.text).not.toContain('Action 20 ·');
    expect(second.buttons.has('followups_next')).toBe(false);
  });
});

describe('/incident list pages', () => {
  it('pages open incidents newest first, unshaken by an incident declared meanwhile', async () => {
    await h.sql.query(
      `INSERT INTO incidents (id, day, seq, severity, title, status, declared_by, declared_at)
       SELECT 'INC-2025-0101-' || lpad(n::text, 3, '0'), '2025-01-01', n, 'P3', 'Listed ' || n, 'investigating',
         'U0DECLARER', '2025-01-01T00:00:00Z'::timestamptz + n * interval '1 minute'
       FROM generate_series(1, 45) AS n`,
    );
    const first = await command('list');
    expect(first.text).toContain('Open incidents (46)');
    const listed = (r: Reply) => [...r.text.matchAll(/\*(INC-[\d-]+)\*/g)].map((m) => m[1]!);
    expect(listed(first)).toHaveLength(40);
    expect(listed(first)[0]).toBe(id);
    await h.reply((await h.command('declare P3 Declared while paging')).responseUrl);
    const second = await click('list_next', first.buttons.get('list_next')!);
    expect(listed(second)).toEqual([6, 5, 4, 3, 2, 1].map((n) => `INC-2025-0101-00${n}`));
    expect(new Set([...listed(first), ...listed(second)]).size).toBe(46);
  });
});
