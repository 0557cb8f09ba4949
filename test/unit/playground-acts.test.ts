import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ActRefused, createActs } from '../../src/playground/acts.js';
import { createReplies } from '../../src/playground/slack/replies.js';
import { sign } from '../../src/playground/slack/sign.js';
import { BOT_USER, SlackWorkspace } from '../../src/playground/slack/workspace.js';

/** What the playground sent the bot, and what a test makes the bot answer next. */
const received: { type: string; body: string; signed: boolean }[] = [];
let answer = '';
let bot: Server;
let botUrl = '';
const SECRET = 'playground-test-secret';

beforeAll(async () => {
  bot = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const ts = Number(req.headers['x-slack-request-timestamp']);
      received.push({
        type: req.headers['content-type'] ?? '',
        body,
        signed: req.headers['x-slack-signature'] === sign(body, ts, SECRET),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
  botUrl = `http://127.0.0.1:${(bot.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => bot.close(() => resolve())));

function playground() {
  const workspace = new SlackWorkspace();
  workspace.addUser('U1', 'dana');
  workspace.addUser('U2', 'remy');
  workspace.addUser(BOT_USER, 'firebreak');
  const room = workspace.addChannel('war-room', [BOT_USER, 'U1']);
  const general = workspace.addChannel('general', ['U1', 'U2']);
  const replies = createReplies(workspace, { messageBlocks: () => [], modal: () => [] });
  const acts = createActs({
    workspace,
    replies,
    botUrl: () => botUrl,
    signingSecret: SECRET,
    slackUrl: () => 'http://s',
  });
  return { workspace, replies, acts, room, general };
}

describe("what people do in the playground's page reaches the bot as Slack sends it", () => {
  it('a command: a signed form with the sender, the channel, a response_url and a trigger of their own', async () => {
    const { acts, room } = playground();
    received.length = 0;
    answer = '';
    await acts.command('U2', room.id, '/incident run restart-service');
    const form = new URLSearchParams(received[0]!.body);
    expect(received[0]).toMatchObject({ type: 'application/x-www-form-urlencoded', signed: true });
    expect(Object.fromEntries(form)).toMatchObject({
      command: '/incident',
      text: 'run restart-service',
      user_id: 'U2',
      user_name: 'remy',
      channel_id: room.id,
      channel_name: 'war-room',
    });
    expect(form.get('response_url')).toMatch(/^http:\/\/s\/respond\//);
    await expect(acts.command('U2', room.id, 'incident list')).rejects.toThrow(ActRefused);
  });

  it('messages, reactions and pins: Events API callbacks, only from channels the bot is in', async () => {
    const { acts, room, general } = playground();
    received.length = 0;
    const ts = await acts.say('U1', room.id, 'Error rate back to normal');
    await acts.react('U1', room.id, ts, 'pushpin', true);
    await acts.pin('U1', room.id, ts);
    await acts.say('U2', general.id, 'lunch?');
    const events = received.map((r) => JSON.parse(r.body).event as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['message', 'reaction_added', 'pin_added']);
    expect(events[0]).toMatchObject({ channel: room.id, user: 'U1', text: 'Error rate back to normal', ts });
    expect(events[2]).toMatchObject({ channel_id: room.id, item: { message: { ts, user: 'U1' } } });
    expect(received.every((r) => r.signed && r.type === 'application/json')).toBe(true);
    await expect(acts.pin('U1', room.id, ts)).rejects.toThrow('already pinned');
  });

  it('a view submission: the form values by element type, and the answer applied as Slack applies it', async () => {
    const { acts, workspace } = playground();
    const view = {
      id: 'V1',
      type: 'modal',
      title: { type: 'plain_text', text: 'Update' },
      blocks: [{ type: 'input', block_id: 'p', element: { type: 'plain_text_input', action_id: 'p' } }],
    };
    workspace.modals.set('U1', [view]);
    received.length = 0;
    answer = JSON.stringify({ response_action: 'errors', errors: { p: 'Say what happened' } });
    expect(await acts.submit('U1', 'V1', { p: { p: '' } })).toEqual({
      closed: false,
      errors: { p: 'Say what happened' },
    });
    const payload = JSON.parse(new URLSearchParams(received[0]!.body).get('payload')!);
    expect(payload).toMatchObject({ type: 'view_submission', user: { id: 'U1' }, view: { id: 'V1' } });
    expect(payload.view.state.values).toEqual({ p: { p: { type: 'plain_text_input', value: null } } });

    answer = JSON.stringify({
      response_action: 'update',
      view: { ...view, title: { type: 'plain_text', text: 'Step 2' } },
    });
    await acts.submit('U1', 'V1', { p: { p: 'rolled back' } });
    expect(workspace.modals.get('U1')).toMatchObject([{ id: 'V1', title: { text: 'Step 2' } }]);
    answer = '';
    expect(await acts.submit('U1', 'V1', { p: { p: 'rolled back' } })).toEqual({ closed: true });
    expect(workspace.modals.get('U1')).toEqual([]);
  });
});
