import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { viewSubmission } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

async function openModal() {
  const ack = await h.command('declare');
  expect(ack.status).toBe(200);
  const call = await waitFor(() => h.slack.callsTo('views.open')[h.slack.callsTo('views.open').length - 1]);
  return call.response.view as Record<string, unknown>;
}

const values = (severity: string | null, title: string, impact = '', services = '') => ({
  severity: {
    severity: {
      type: 'static_select',
      selected_option: severity ? { text: { type: 'plain_text', text: severity }, value: severity } : null,
    },
  },
  title: { title: { type: 'plain_text_input', value: title } },
  impact: { impact: { type: 'plain_text_input', value: impact || null } },
  services: { services: { type: 'plain_text_input', value: services || null } },
});

describe('/incident declare with no arguments', () => {
  it('opens a modal for severity, title, impact and affected services', async () => {
    const view = await openModal();
    const ids = (view.blocks as { block_id: string }[]).map((b) => b.block_id);
    expect(ids).toEqual(['severity', 'title', 'impact', 'services']);
    expect(JSON.stringify(view.blocks)).toContain('P0: Complete outage');
  });

  it('declares the incident on submit and DMs the declarer', async () => {
    const view = await openModal();
    const res = await h.interact(
      viewSubmission(view, values('P1', 'EU checkout down', 'All EU card payments fail', 'checkout-api, payments')),
    );
    expect(res.status).toBe(200);
    const row = await waitFor(
      async () => (await h.sql.query(`SELECT * FROM incidents WHERE title = 'EU checkout down'`)).rows[0],
    );
    expect(row).toMatchObject({
      severity: 'P1',
      impact: 'All EU card payments fail',
      services: ['checkout-api', 'payments'],
    });
    await waitFor(() =>
      [...h.slack.channels.values()].some((c) => c.is_im && c.messages.some((m) => m.text.includes(row.id))),
    );
  });

  it('shows field errors for a missing severity or title, and records nothing', async () => {
    const view = await openModal();
    const res = await h.interact(viewSubmission(view, values(null, '  ')));
    expect(JSON.parse(res.body)).toEqual({
      response_action: 'errors',
      errors: { severity: 'Choose a severity from the list.', title: 'Give the incident a title.' },
    });
    expect(Number((await h.sql.query('SELECT count(*) n FROM incidents')).rows[0].n)).toBe(1);
  });

  it('a repeated submission declares once', async () => {
    const view = await openModal();
    const payload = viewSubmission(view, values('P2', 'Twice submitted'));
    await Promise.all([h.interact(payload), h.interact(payload)]);
    await waitFor(
      async () =>
        Number((await h.sql.query(`SELECT count(*) n FROM incidents WHERE title = 'Twice submitted'`)).rows[0].n) === 1,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(
      Number((await h.sql.query(`SELECT count(*) n FROM incidents WHERE title = 'Twice submitted'`)).rows[0].n),
    ).toBe(1);
  });
});
