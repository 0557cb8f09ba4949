import { describe, expect, it } from '@jest/globals';
import { createReplies } from '../../src/playground/slack/replies.js';
import { createWebApi } from '../../src/playground/slack/web-api.js';
import { BOT_USER, SlackWorkspace } from '../../src/playground/slack/workspace.js';
import { findElement, viewValues } from '../../src/playground/view-state.js';

const accept = { messageBlocks: () => [], modal: () => [] };

function workspace() {
  const w = new SlackWorkspace();
  w.addUser('U1', 'dana');
  w.addUser('U2', 'remy');
  const room = w.addChannel('war-room', [BOT_USER, 'U1', 'U2']);
  return { w, room };
}

describe("the playground's response_urls", () => {
  const key = (url: string) => url.slice(url.lastIndexOf('/') + 1);

  it('show a reply to the person alone by default, and in the channel for all with in_channel', () => {
    const { w, room } = workspace();
    const replies = createReplies(w, accept);
    const url = replies.urlFor('http://slack.local', { channel: room.id, user: 'U1' });
    expect(replies.receive(key(url), JSON.stringify({ text: 'only you' })).status).toBe(200);
    expect(replies.ephemerals).toMatchObject([{ channel: room.id, user: 'U1', text: 'only you' }]);
    expect(room.messages).toHaveLength(0);
    replies.receive(key(url), JSON.stringify({ response_type: 'in_channel', text: 'everyone' }));
    expect(room.messages.map((m) => [m.user, m.text])).toEqual([[BOT_USER, 'everyone']]);
  });

  it('replace the clicked message, ephemeral or not, with replace_original', () => {
    const { w, room } = workspace();
    const replies = createReplies(w, accept);
    const first = replies.urlFor('http://s', { channel: room.id, user: 'U1' });
    replies.receive(key(first), JSON.stringify({ text: 'page 1' }));
    const shown = replies.ephemerals[0]!;
    const click = replies.urlFor('http://s', { channel: room.id, user: 'U1', source: { ephemeral: shown.id } });
    replies.receive(key(click), JSON.stringify({ replace_original: true, text: 'page 2' }));
    expect(replies.ephemerals.map((e) => e.text)).toEqual(['page 2']);
  });

  it('refuse what Slack refuses: unknown or used-up URLs, bad JSON, invalid blocks, nothing to say', () => {
    const { w, room } = workspace();
    const refuseAll = { messageBlocks: () => ['no'], modal: () => [] };
    const replies = createReplies(w, refuseAll);
    const url = key(replies.urlFor('http://s', { channel: room.id, user: 'U1' }));
    expect(replies.receive('nope', '{}').status).toBe(404);
    expect(replies.receive(url, 'not json').body).toMatchObject({ error: 'invalid_payload' });
    expect(replies.receive(url, JSON.stringify({ text: 'x', blocks: [] })).body).toMatchObject({
      error: 'invalid_blocks',
    });
    expect(replies.receive(url, JSON.stringify({})).body).toMatchObject({ error: 'no_text' });
    for (let n = 0; n < 2; n++) expect(replies.receive(url, JSON.stringify({ text: 'ok' })).status).toBe(200);
    expect(replies.receive(url, JSON.stringify({ text: 'sixth' })).body).toMatchObject({ error: 'used_url' });
  });
});

describe("the playground's workspace", () => {
  it('opens a view for the person whose act issued the trigger, and views.push stacks on it', () => {
    const { w } = workspace();
    const api = createWebApi({ workspace: w, validation: accept, baseUrl: () => 'http://s' });
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Update' }, blocks: [] };
    expect(api.call('views.open', { trigger_id: w.issueTrigger('U2'), view })).toMatchObject({ ok: true });
    expect(api.call('views.push', { trigger_id: w.issueTrigger('U2'), view })).toMatchObject({ ok: true });
    expect(w.modals.get('U2')).toHaveLength(2);
    expect(w.modals.get('U1')).toBeUndefined();
  });

  it('updates an open view by ID, refusing a stale hash as Slack does', () => {
    const { w } = workspace();
    const api = createWebApi({ workspace: w, validation: accept, baseUrl: () => 'http://s' });
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Run' }, blocks: [] };
    const opened = api.call('views.open', { trigger_id: w.issueTrigger('U1'), view }) as {
      view: { id: string; hash: string };
    };
    const changed = { ...view, title: { type: 'plain_text', text: 'Run: step 2' } };
    const updated = api.call('views.update', { view_id: opened.view.id, hash: opened.view.hash, view: changed });
    expect(updated).toMatchObject({ ok: true, view: { id: opened.view.id, title: { text: 'Run: step 2' } } });
    expect(w.modals.get('U1')![0]).toMatchObject({ title: { text: 'Run: step 2' } });
    expect(api.call('views.update', { view_id: opened.view.id, hash: opened.view.hash, view })).toMatchObject({
      ok: false,
      error: 'hash_conflict',
    });
    expect(api.call('views.update', { view_id: 'V0NOPE', view })).toMatchObject({ ok: false, error: 'not_found' });
  });

  it('counts reactions per person, once each, and shows them in history as Slack does', () => {
    const { w, room } = workspace();
    const ts = w.say(room.id, 'U1', 'rolled back');
    const message = w.messageAt(room.id, ts)!;
    expect(w.react(message, 'eyes', 'U1', true)).toBe(true);
    expect(w.react(message, 'eyes', 'U1', true)).toBe(false);
    w.react(message, 'eyes', 'U2', true);
    const api = createWebApi({ workspace: w, validation: accept, baseUrl: () => 'http://s' });
    const history = api.call('conversations.history', { channel: room.id }) as { messages: { reactions?: unknown }[] };
    expect(history.messages[0]!.reactions).toEqual([{ name: 'eyes', users: ['U1', 'U2'], count: 2 }]);
    w.react(message, 'eyes', 'U1', false);
    w.react(message, 'eyes', 'U2', false);
    expect(message.reactions).toEqual([]);
  });
});

describe('Block Kit state the page reports', () => {
  const blocks = [
    {
      type: 'section',
      block_id: 'b1',
      text: { type: 'mrkdwn', text: 'x' },
      accessory: { type: 'button', action_id: 'go', value: 'v1', text: { type: 'plain_text', text: 'Go' } },
    },
    {
      type: 'actions',
      block_id: 'b2',
      elements: [
        {
          type: 'static_select',
          action_id: 'pick',
          options: [{ text: { type: 'plain_text', text: 'A' }, value: 'a' }],
        },
      ],
    },
  ];

  it('reports a click with the value the bot put on the button, and a select only with an option it offered', () => {
    expect(findElement(blocks, 'b1', 'go')).toMatchObject({ type: 'button', value: 'v1' });
    expect(findElement(blocks, 'b2', 'pick', 'a')).toMatchObject({ selected_option: { value: 'a' } });
    expect(findElement(blocks, 'b2', 'pick', 'forged')).toBeUndefined();
    expect(findElement(blocks, 'b1', 'missing')).toBeUndefined();
  });

  it("builds view_submission values by each input's element type", () => {
    const view = {
      blocks: [
        {
          type: 'input',
          block_id: 'sev',
          element: {
            type: 'static_select',
            action_id: 's',
            options: [{ text: { type: 'plain_text', text: 'P1' }, value: 'P1' }],
          },
        },
        { type: 'input', block_id: 'title', element: { type: 'plain_text_input', action_id: 't' } },
        { type: 'input', block_id: 'who', element: { type: 'multi_users_select', action_id: 'u' } },
      ],
    };
    expect(viewValues(view, { sev: { s: 'P1' }, title: { t: 'Checkout down' }, who: { u: ['U1', 'U2'] } })).toEqual({
      sev: { s: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'P1' }, value: 'P1' } } },
      title: { t: { type: 'plain_text_input', value: 'Checkout down' } },
      who: { u: { type: 'multi_users_select', selected_users: ['U1', 'U2'] } },
    });
    expect(viewValues(view, {}).title).toEqual({ t: { type: 'plain_text_input', value: null } });
  });
});
