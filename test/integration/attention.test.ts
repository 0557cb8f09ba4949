import { beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import { startFirebreak } from '../../src/main.js';
import type { SlackCall } from '../support/fake-slack/server.js';
import { LogCapture, waitFor } from '../support/harness.js';
import { P1_PEOPLE, P1_TEXT, type P1Run, pingReason, scriptedP1 } from '../support/scripted-p1.js';
import { allPings, posts } from '../support/slack-attention.js';

type Shown = { text: string; blocks: unknown };
const messageCalls = (c: SlackCall) => ['chat.postMessage', 'chat.update'].includes(c.method) && c.response.ok === true;

let p1: P1Run;
let dmAckedInPlace = false;
let liveAtReminders: string[] = [];
let pendingRun = '';
beforeAll(async () => {
  p1 = await scriptedP1(
    async (env) => startFirebreak(loadConfig(env), { logDestination: new LogCapture(), backoffMs: () => 200 }),
    {
      async afterReminders({ slack, room, incidentId, click }) {
        const reminders = slack.channels
          .get(room)!
          .messages.filter((m) => m.text.startsWith(`Update due for ${incidentId}`));
        liveAtReminders = reminders
          .filter((m) => JSON.stringify(m.blocks).includes('reminder_snooze_15m'))
          .map((m) => m.ts);
        // em acknowledges from the page they were sent: the DM's own button.
        const dm = [...slack.channels.values()].find((c) => c.is_im && c.members.has(P1_PEOPLE.em))!;
        const page = dm.messages.find((m) => m.text.startsWith("You're paged"))!;
        await click('ack_incident', incidentId, P1_PEOPLE.em, dm.id, page.ts);
        await waitFor(() => dm.messages.find((m) => m.ts === page.ts)!.text.includes('acknowledged'), 5000, 'the DM');
        dmAckedInPlace = dm.messages.filter((m) => m.text.startsWith("You're paged")).length === 0;
      },
      async beforeResolve({ command, room, sql }) {
        // A second request nobody decides before the resolve.
        const asked = await command(
          'run restart-service namespace=ai-development deployment=api-gateway',
          P1_PEOPLE.lead,
          room,
        );
        pendingRun = /RUN-[0-9A-F]{8}/.exec(asked)![0];
        await waitFor(
          async () =>
            (await sql.query('SELECT card_ts FROM runbook_runs WHERE id = $1', [pendingRun])).rows[0]?.card_ts,
          10_000,
          'the second approval card',
        );
      },
    },
  );
}, 120_000);

describe('a scripted P1 against the fake Slack', () => {
  it('pings only people who must act now: the IC on a due update, escalation targets, approvers', () => {
    const reasons = allPings(p1.slack).map((p) => pingReason(p, p1.incidentId));
    const counts: Record<string, number> = {};
    for (const r of reasons) counts[r] = (counts[r] ?? 0) + 1;
    expect(reasons.filter((r) => r.startsWith('unwanted'))).toEqual([]);
    expect(counts).toEqual({
      'IC on a due update': 2,
      'escalation target': 3,
      // Two approval cards (the rollback, and the restart left pending at the resolve): on each the requester
      // (the lead) is not asked; the IC, the approver and the approver group's member are.
      'approver of a waiting step': 6,
    });
  });

  it('gives every message a full-sentence notification text with the incident, its level and title, intact', () => {
    const shown = p1.slack.calls.filter(messageCalls);
    expect(shown.length).toBeGreaterThan(20);
    for (const c of shown) {
      const text = String(c.params.text);
      expect(text).toMatch(/[.?!)]$/);
      expect(text).toContain(p1.incidentId);
      expect(text).toContain('P1');
      // Runbook messages (approval cards, step results, run results, expired cards) name the incident in full too.
      if (/RUN-/.test(text)) expect(text).toContain(`${p1.incidentId} (P1): ${P1_TEXT.title}`);
    }
    expect(shown.filter((c) => /RUN-/.test(String(c.params.text))).length).toBeGreaterThan(3);
    const texts = shown.map((c) => String(c.params.text));
    expect(texts.filter((t) => t.includes(P1_TEXT.title)).length).toBeGreaterThan(10);
    expect(texts.some((t) => t.includes(':rotating_light: Escalation:'))).toBe(true);
    expect(texts.some((t) => t.includes('card_processor timeouts since the 14:02 deploy :fire:'))).toBe(true);
    expect(texts.some((t) => t.includes(':white_check_mark:'))).toBe(true);
  });

  it('escapes once: no entity escaped twice, and the reminder recap shows people by name', () => {
    for (const c of p1.slack.calls.filter(messageCalls)) {
      const all = `${c.params.text} ${JSON.stringify(c.params.blocks)}`;
      expect(all).not.toMatch(/&amp;(amp|lt|gt);/);
    }
    const recap = posts(p1.slack)
      .filter((p) => p.text.startsWith(`Update due for ${p1.incidentId}`))
      .map((p) => JSON.stringify(p.blocks))
      .at(-1)!;
    expect(recap).toContain('Since the last update');
    expect(recap).toContain('remy');
    expect(recap).not.toMatch(/&lt;[@#!]/);
  });

  it('keeps one live reminder: the earlier one says it was replaced, the last one that it was answered', () => {
    expect(liveAtReminders).toHaveLength(1);
    const reminders = p1.slack.channels
      .get(p1.room)!
      .messages.filter((m) => m.text.startsWith(`Update due for ${p1.incidentId}`));
    expect(reminders).toHaveLength(2);
    expect(reminders[0]!.text).toContain('replaced by the newer reminder below');
    expect(reminders[1]!.ts).toBe(liveAtReminders[0]);
    expect(reminders[1]!.text).toContain("answered by dana's update");
    for (const r of reminders) expect(JSON.stringify(r.blocks)).not.toContain('"actions"');
  });

  it('sends no edit that changes nothing, and sets the topic only when it changes, without mentions', () => {
    const last = new Map<string, Shown>();
    for (const c of p1.slack.calls.filter(messageCalls)) {
      const key = `${c.response.channel}/${c.response.ts}`;
      const now = { text: String(c.params.text), blocks: c.params.blocks };
      if (c.method === 'chat.update') expect(JSON.stringify(now)).not.toBe(JSON.stringify(last.get(key)));
      last.set(key, now);
    }
    const topics = p1.slack.callsTo('conversations.setTopic').map((c) => String(c.params.topic));
    expect(topics.length).toBeGreaterThan(0);
    for (const [n, t] of topics.entries()) {
      expect(t).not.toMatch(/<[@#!]/);
      expect(t.length).toBeLessThanOrEqual(250);
      if (n > 0) expect(t).not.toBe(topics[n - 1]);
    }
    expect(p1.slack.channels.get(p1.room)!.topic).toContain('IC dana');
  });

  it('pages with a DM written to its reader, with buttons, updated in place once acknowledged', () => {
    const pages = posts(p1.slack).filter((p) => p.dm && p.text.startsWith("You're paged"));
    expect(pages).toHaveLength(3);
    for (const p of pages) {
      expect(p.text).toContain('without acknowledgement');
      expect(p.text).toContain('Incident commander: dana');
      const blocks = JSON.stringify(p.blocks);
      expect(blocks).toContain('"action_id":"ack_incident"');
      expect(blocks).toContain('"action_id":"join_war_room"');
      expect(blocks).toContain('accessibility_label');
    }
    expect(dmAckedInPlace).toBe(true);
    const em = [...p1.slack.channels.values()].find((c) => c.is_im && c.members.has(P1_PEOPLE.em))!;
    expect(em.messages).toHaveLength(1);
    expect(em.messages[0]!.text).toContain('em acknowledged');
    expect(JSON.stringify(em.messages[0]!.blocks)).not.toContain('ack_incident');
  });

  it('keeps the #incidents announcement live and turns it to resolved instead of posting again', () => {
    const incidents = p1.slack.channelByName('incidents')!;
    const about = incidents.messages.filter((m) => m.text.includes(p1.incidentId));
    expect(about).toHaveLength(1);
    const announcement = about[0]!;
    expect(announcement.text).toMatch(new RegExp(`^INCIDENT RESOLVED ${p1.incidentId} after`));
    const blocks = JSON.stringify(announcement.blocks);
    expect(blocks).toContain(':white_check_mark: RESOLVED after');
    expect(blocks).toContain('*Incident commander*\\ndana');
    expect(blocks).toContain(P1_TEXT.update2.slice(0, 30));
    const live = p1.slack
      .callsTo('chat.update')
      .filter((c) => c.params.ts === announcement.ts)
      .map((c) => JSON.stringify(c.params.blocks));
    expect(live.some((b) => b.includes('Next update due') && b.includes('join_war_room'))).toBe(true);
  });

  it('asks for approval with the action, target and change, a plain-text consequence and a neutral Deny', () => {
    const card = posts(p1.slack).find((p) => p.text.startsWith('Approval needed'))!;
    const blocks = card.blocks as { type: string; text?: { text: string }; elements?: Record<string, unknown>[] }[];
    expect(blocks[0]!.text!.text).toBe(
      ':warning: Approve rollback of education/education-revenue-engine? edu/revenue-engine:5.3.0 → 5.2.0',
    );
    expect(JSON.stringify(blocks)).toContain('Requested by remy');
    const [approve, deny] = blocks.find((b) => b.type === 'actions')!.elements!;
    expect(approve!.confirm).toMatchObject({
      text: { type: 'plain_text', text: 'Replaces 2 running pods with edu/revenue-engine:5.2.0 now, one at a time.' },
      style: 'danger',
    });
    expect(deny!.style).toBeUndefined();
    expect(approve!.accessibility_label).toBeTruthy();
    expect(deny!.accessibility_label).toBeTruthy();
  });

  it('expires a pending approval when the incident is resolved, and its card says so without buttons', async () => {
    const card = posts(p1.slack).find((p) => p.text.startsWith('Approval needed') && p.text.includes(pendingRun))!;
    const now = p1.slack.channels.get(p1.room)!.messages.find((m) => m.ts === card.ts)!;
    expect(now.text).toContain('expired');
    expect(JSON.stringify(now.blocks)).toContain('Expired before it ran: The incident is resolved');
    expect(JSON.stringify(now.blocks)).not.toContain('runbook_approve');
  });

  it('every message passed the fake’s Block Kit validation', () => {
    const refused = p1.slack.calls.filter(
      (c) => ['chat.postMessage', 'chat.update'].includes(c.method) && !c.response.ok,
    );
    expect(refused).toEqual([]);
  });
});
