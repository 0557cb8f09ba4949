import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { policyFile } from '../support/policies.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { INCIDENT_POLICY: policyFile() } });
});
afterAll(() => h.stop());

const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];
const reminders = (id: string) =>
  [...h.slack.channels.values()].flatMap((c) =>
    c.messages.filter((m) => m.text.startsWith(`Update due for ${id} `)).map((m) => ({ ...m, channel: c.id })),
  );
const live = (id: string) => reminders(id).filter((m) => JSON.stringify(m.blocks).includes('reminder_snooze_15m'));
const row = async (id: string) => (await h.sql.query('SELECT * FROM incidents WHERE id = $1', [id])).rows[0];
let clicks = 0;
async function click(actionId: string, id: string, m: { channel: string; ts: string }) {
  const path = `/respond/reminder-${++clicks}`;
  await h.interact(
    blockAction({
      actionId,
      value: id,
      user: 'U0DECLARER',
      channel: m.channel,
      messageTs: m.ts,
      responseUrl: `${h.slack.url}${path}`,
      triggerId: h.slack.issueTrigger(),
      blockId: 'reminder_actions',
    }),
  );
  return h.reply(path);
}

describe('the reminder’s buttons', () => {
  it('"No change, still investigating" posts that update, answers the reminder and restarts the clock', async () => {
    const id = idOf(await h.reply((await h.command('declare P2 Thumbnails blurry')).responseUrl));
    const reminder = await waitFor(() => live(id)[0], 5000, 'a live reminder');
    const reply = await click('reminder_no_change', id, reminder);
    expect(reply).toContain(`Posted "no change" for ${id}`);
    expect(reply).toMatch(/<!date\^\d+\^\{time\}\|/);
    const update = await waitFor(() =>
      [...h.slack.channels.values()].flatMap((c) => c.messages).find((m) => m.text.startsWith(`INCIDENT UPDATE ${id}`)),
    );
    expect(update.text).toContain('No change; still investigating.');
    await waitFor(() =>
      reminders(id)
        .find((m) => m.ts === reminder.ts)!
        .text.includes("answered by dana's update"),
    );
    expect(live(id).filter((m) => m.ts === reminder.ts)).toHaveLength(0);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('snoozes for 15 minutes: the clock moves, the reminder says so and loses its buttons', async () => {
    const id = idOf(await h.reply((await h.command('declare P2 Search slow')).responseUrl));
    const reminder = await waitFor(() => live(id)[0], 5000, 'a live reminder');
    const reply = await click('reminder_snooze_15m', id, reminder);
    expect(reply).toContain(`Update clock of ${id} snoozed; next update due <!date^`);
    const due = (await row(id)).next_update_due as Date;
    expect(due.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    await waitFor(() =>
      reminders(id)
        .find((m) => m.ts === reminder.ts)!
        .text.includes('snoozed'),
    );
    expect(live(id)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 2500));
    expect(reminders(id)).toHaveLength(1);
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
  });

  it('is closed when the incident is resolved', async () => {
    const id = idOf(await h.reply((await h.command('declare P2 Exports stuck')).responseUrl));
    const reminder = await waitFor(() => live(id)[0], 5000, 'a live reminder');
    await h.reply((await h.command(`resolve ${id}`)).responseUrl);
    await waitFor(() =>
      reminders(id)
        .find((m) => m.ts === reminder.ts)!
        .text.includes(`${id} was resolved`),
    );
    expect(live(id)).toHaveLength(0);
  });
});
