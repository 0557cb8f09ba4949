import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { blockAction, viewSubmission } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

const MISSING = 'INC-2020-0101-999';
const dmsTo = (user: string) =>
  [...h.slack.channels.values()].filter((c) => c.is_im && c.members.has(user)).flatMap((c) => c.messages);

describe('one error funnel: a listener throws, and the person hears of it where they acted', () => {
  it('a command: ephemeral on its response_url, with what to do next', async () => {
    const sent = await h.command(`status ${MISSING} monitoring`);
    expect(sent.status).toBe(200);
    expect(await h.reply(sent.responseUrl)).toContain(`There is no incident ${MISSING}`);
    expect(h.slack.responses.find((r) => r.url === sent.responseUrl)?.body).toMatchObject({
      response_type: 'ephemeral',
    });
  });

  it('a button: ephemeral on its response_url, leaving the message it was on in place', async () => {
    const responseUrl = `/respond/funnel-button-${process.pid}`;
    const click = await h.interact(
      blockAction({
        actionId: 'ack_incident',
        value: MISSING,
        user: 'U0RESPOND1',
        channel: h.slack.channelByName('general')!.id,
        messageTs: '1700000000.000100',
        responseUrl: `${h.slack.url}${responseUrl}`,
        triggerId: h.slack.issueTrigger(),
      }),
    );
    expect(click.status).toBe(200);
    expect(await h.reply(responseUrl)).toContain(`There is no incident ${MISSING}`);
    expect(h.slack.responses.find((r) => r.url === responseUrl)?.body).toMatchObject({
      response_type: 'ephemeral',
      replace_original: false,
    });
  });

  it('a form submission: a DM, since the modal has closed', async () => {
    const view = {
      id: 'V0FUNNEL01',
      title: { type: 'plain_text', text: 'Post update' },
      submit: { type: 'plain_text', text: 'Post' },
      close: { type: 'plain_text', text: 'Cancel' },
      blocks: [],
      private_metadata: JSON.stringify({ incidentId: MISSING }),
      callback_id: 'post_update',
    };
    const values = {
      u_status: { u_status: { type: 'static_select', selected_option: null } },
      u_progress: { u_progress: { type: 'plain_text_input', value: 'still looking' } },
      u_next: { u_next: { type: 'plain_text_input', value: null } },
      u_eta: { u_eta: { type: 'plain_text_input', value: null } },
    };
    const res = await h.interact(viewSubmission(view, values, 'U0RESPOND2'));
    expect(res.status).toBe(200);
    const dm = await waitFor(
      () => dmsTo('U0RESPOND2').find((m) => m.text.includes(`There is no incident ${MISSING}`)),
      5000,
      'the DM',
    );
    expect(dm.text).toContain('/incident list');
  });
});
