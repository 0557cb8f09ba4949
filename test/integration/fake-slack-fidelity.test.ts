import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorCode, WebClient } from '@slack/web-api';
import Ajv04Module from 'ajv-draft-04';
import { BOT_USER } from '../../src/playground/slack/workspace.js';
import { clientOptions } from '../../src/slack/app.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { SLACK_TEST_DATA } from '../support/paths.js';

const SHARED = SLACK_TEST_DATA;
const spec = JSON.parse(readFileSync(new URL('web-api.openapi.json', SHARED), 'utf8')) as {
  definitions: unknown;
  paths: Record<string, Record<string, { responses: Record<string, { schema: unknown }> }>>;
};
const sample = (method: string) =>
  JSON.parse(readFileSync(new URL(`samples/api/${method}.json`, SHARED), 'utf8')) as unknown;

const Ajv04 = ((Ajv04Module as unknown as { default?: unknown }).default ??
  Ajv04Module) as unknown as typeof Ajv04Module.default;
const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false, logger: false });
ajv.addSchema({ id: 'slack', definitions: spec.definitions });
function responseSchema(method: string, which: '200' | 'default') {
  const op = Object.values(spec.paths[`/${method}`]!)[0]!;
  return ajv.compile(
    JSON.parse(JSON.stringify(op.responses[which]!.schema).replaceAll('"#/definitions/', '"slack#/definitions/')),
  );
}

/** Key paths with array indices collapsed, each with its JSON type. */
function shape(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (path) out.set(path, type);
  if (Array.isArray(value)) {
    for (const v of value) shape(v, `${path}[]`, out);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) shape(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** Fields Slack added after the 2020 spec, present in the 2026 samples, and fields the spec leaves undeclared (the spec also types chat.update's message.blocks as an object; the samples have an array). */
const SPEC_GAPS = new Set([
  'is_enterprise_install',
  'response_metadata',
  'message.app_id',
  'message.team',
  'message.blocks',
  'message.subtype',
  'messages.app_id',
]);

let slack: FakeSlack;
const responses = new Map<string, Record<string, unknown>>();
async function call(method: string, params: Record<string, unknown>, token = slack.token) {
  const res = await fetch(`${slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(params),
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  slack = await new FakeSlack().start();
  slack.usergroups.set('S0ONCALL01', ['U0RESPOND1']);
  const created = await call('conversations.create', { name: 'inc-2026-1122-001-auth' });
  const channel = (created.channel as { id: string }).id;
  const posted = await call('chat.postMessage', {
    channel,
    text: 'hello',
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
  });
  const ts = posted.ts as string;
  responses.set('conversations.create', created);
  responses.set('chat.postMessage', posted);
  responses.set('chat.update', await call('chat.update', { channel, ts, text: 'edited' }));
  responses.set('conversations.invite', await call('conversations.invite', { channel, users: 'U0RESPOND1' }));
  responses.set(
    'conversations.setTopic',
    await call('conversations.setTopic', { channel, topic: 'P1 · investigating' }),
  );
  responses.set('conversations.info', await call('conversations.info', { channel }));
  responses.set('pins.add', await call('pins.add', { channel, timestamp: ts }));
  responses.set('usergroups.users.list', await call('usergroups.users.list', { usergroup: 'S0ONCALL01' }));
  responses.set('auth.test', await call('auth.test', {}));
  responses.set('chat.getPermalink', await call('chat.getPermalink', { channel, message_ts: ts }));
  responses.set('chat.postEphemeral', await call('chat.postEphemeral', { channel, user: BOT_USER, text: 'psst' }));
  responses.set('users.info', await call('users.info', { user: 'U0RESPOND1' }));
  responses.set('users.lookupByEmail', await call('users.lookupByEmail', { email: 'remy@example.com' }));
  responses.set('conversations.history', await call('conversations.history', { channel, limit: 10 }));
});
afterAll(async () => {
  await slack.stop();
});

describe('the fake Slack answers like Slack', () => {
  it('every success response has the samples’ field names, nesting and types', () => {
    for (const [method, body] of responses) {
      expect({ method, ok: body.ok }).toEqual({ method, ok: true });
      const reference = shape(sample(method));
      const mismatches = [...shape(body)]
        .filter(([path, type]) => (reference.has(path) ? reference.get(path) !== type && type !== 'null' : true))
        .map(([p, t]) => `${p}:${t}`);
      expect({ method, mismatches }).toEqual({ method, mismatches: [] });
    }
  });

  it('success bodies validate against the Web API spec, apart from fields Slack added since 2020', () => {
    for (const [method, body] of responses) {
      if (!spec.paths[`/${method}`]) continue;
      const validate = responseSchema(method, '200');
      validate(body);
      const real = (validate.errors ?? []).filter(
        (e: { keyword: string; instancePath: string; params: unknown }) =>
          e.instancePath !== '/message/blocks' &&
          !(
            e.keyword === 'additionalProperties' &&
            SPEC_GAPS.has(
              `${e.instancePath.replace(/^\//, '').replace(/\/\d+/g, '').replaceAll('/', '.')}${e.instancePath ? '.' : ''}${(e.params as { additionalProperty: string }).additionalProperty}`.replace(
                /^\./,
                '',
              ),
            )
          ),
      );
      expect({
        method,
        errors: real.map(
          (e: { instancePath: string; message?: string; params: unknown }) =>
            `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
        ),
      }).toEqual({ method, errors: [] });
    }
  });

  it('rejects what Slack rejects, with the spec’s error codes', async () => {
    const incidents = slack.channelByName('incidents')!.id;
    const cases: [string, Record<string, unknown>, string, string?][] = [
      ['conversations.create', { name: 'Has Spaces' }, 'invalid_name_specials'],
      ['conversations.create', { name: 'x'.repeat(81) }, 'invalid_name_maxlength'],
      ['conversations.create', { name: 'inc-2026-1122-001-auth' }, 'name_taken'],
      ['chat.postMessage', { channel: 'C0NOPE00000', text: 'x' }, 'channel_not_found'],
      ['chat.postMessage', { channel: slack.channelByName('general')!.id, text: 'x' }, 'not_in_channel'],
      ['chat.postMessage', { channel: incidents }, 'no_text'],
      [
        'chat.postMessage',
        { channel: incidents, text: 'x', blocks: [{ type: 'section', text: { type: 'plain_text', text: '' } }] },
        'invalid_blocks',
      ],
      ['chat.update', { channel: incidents, ts: '1111111111.000001', text: 'x' }, 'message_not_found'],
      [
        'chat.update',
        {
          channel: slack.channelByName('inc-2026-1122-001-auth')!.id,
          ts: responses.get('chat.postMessage')!.ts as string,
        },
        'no_text',
      ],
      ['conversations.invite', { channel: incidents, users: BOT_USER }, 'cant_invite_self'],
      ['pins.add', { channel: incidents, timestamp: '1111111111.000001' }, 'message_not_found'],
      ['views.open', { trigger_id: 'made-up', view: {} }, 'invalid_trigger_id'],
      ['auth.test', {}, 'invalid_auth', 'xoxb-wrong'],
    ];
    for (const [method, params, error, token] of cases) {
      const body = await call(method, params, token);
      expect({ method, error: body.error }).toEqual({ method, error });
      const validate = responseSchema(method, 'default');
      const listed = JSON.stringify(Object.values(spec.paths[`/${method}`]!)[0]!.responses.default!.schema).includes(
        `"${error}"`,
      );
      if (listed) expect({ method, valid: validate(body) }).toEqual({ method, valid: true });
    }
  });

  it('lets a trigger ID open one view only', async () => {
    const trigger = slack.issueTrigger();
    const view = {
      type: 'modal',
      title: { type: 'plain_text', text: 'Declare' },
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }],
    };
    expect((await call('views.open', { trigger_id: trigger, view })).ok).toBe(true);
    expect((await call('views.open', { trigger_id: trigger, view })).error).toBe('exchanged_trigger_id');
  });

  it('uses Slack’s ID and timestamp formats', () => {
    const posted = responses.get('chat.postMessage')!;
    expect(posted.channel).toMatch(/^[CGD][A-Z0-9]{8,}$/);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(responses.get('auth.test')!.user_id).toMatch(/^[UW][A-Z0-9]{2,}$/);
    expect(responses.get('auth.test')!.bot_id).toMatch(/^B[A-Z0-9]{8,}$/);
  });
});

describe('refuses what Slack refuses, where the 2020 spec lists little', () => {
  /** A call as it goes on the wire, for bodies and token placements the Web client never makes. */
  async function send(method: string, body: string, headers: Record<string, string>, query = '') {
    const res = await fetch(`${slack.apiUrl}${method}${query}`, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(5000),
    });
    return { status: res.status, answer: (await res.json()) as Record<string, unknown> };
  }

  it('answers a JSON body it cannot read with invalid_json or json_not_object, and does not leave the caller waiting', async () => {
    const headers = { authorization: `Bearer ${slack.token}`, 'content-type': 'application/json' };
    for (const [body, error] of [
      ['{"channel": ', 'invalid_json'],
      ['["channel"]', 'json_not_object'],
    ]) {
      expect({ body, ...(await send('chat.postMessage', body!, headers)) }).toEqual({
        body,
        status: 200,
        answer: { ok: false, error },
      });
    }
  });

  it('reads the token from the Authorization header or a form body, not from a JSON body or the query string', async () => {
    const json = { 'content-type': 'application/json' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const tokenQuery = `?token=${slack.token}`;
    expect((await send('auth.test', JSON.stringify({ token: slack.token }), json)).answer).toEqual({
      ok: false,
      error: 'not_authed',
    });
    expect((await send('auth.test', '', form, tokenQuery)).answer).toEqual({ ok: false, error: 'not_authed' });
    expect((await send('auth.test', `token=${slack.token}`, form)).answer).toMatchObject({ ok: true });
  });

  it('finds no DM with someone not in the workspace, and holds an edit to the 40,000 characters of a post', async () => {
    const nobody = await call('chat.postMessage', { channel: 'U0NOBODY01', text: 'x' });
    expect(nobody).toEqual({ ok: false, error: 'channel_not_found' });
    expect(responseSchema('chat.postMessage', 'default')(nobody)).toBe(true);
    expect(slack.workspace.findDm('U0NOBODY01')).toBeUndefined();
    const channel = slack.channelByName('incidents')!.id;
    const { ts } = await call('chat.postMessage', { channel, text: 'short' });
    const long = await call('chat.update', { channel, ts, text: 'x'.repeat(40_001) });
    expect(long).toEqual({ ok: false, error: 'msg_too_long' });
    expect(responseSchema('chat.update', 'default')(long)).toBe(true);
    expect(slack.channels.get(channel)!.messages.find((m) => m.ts === ts)!.text).toBe('short');
  });

  it('refuses on a DM what only channels take, and a history window that is not timestamps', async () => {
    const dm = ((await call('conversations.open', { users: 'U0RESPOND1' })).channel as { id: string }).id;
    const dmOnly: [string, Record<string, unknown>][] = [
      ['conversations.join', { channel: dm }],
      ['conversations.invite', { channel: dm, users: 'U0RESPOND2' }],
      ['conversations.setTopic', { channel: dm, topic: 'P1 · investigating' }],
    ];
    for (const [method, params] of dmOnly) {
      const answer = await call(method, params);
      expect({ method, answer }).toEqual({
        method,
        answer: { ok: false, error: 'method_not_supported_for_channel_type' },
      });
      expect({ method, valid: responseSchema(method, 'default')(answer) }).toEqual({ method, valid: true });
    }
    expect(slack.channels.get(dm)!.members).toEqual(new Set(['U0RESPOND1', BOT_USER]));
    expect(slack.channels.get(dm)!.topic).toBe('');
    const channel = slack.channelByName('incidents')!.id;
    const windows: [Record<string, unknown>, string][] = [
      [{ oldest: 'yesterday' }, 'invalid_ts_oldest'],
      [{ latest: 'now' }, 'invalid_ts_latest'],
    ];
    for (const [window, error] of windows) {
      const answer = await call('conversations.history', { channel, ...window });
      expect({ window, answer }).toEqual({ window, answer: { ok: false, error } });
      expect(responseSchema('conversations.history', 'default')(answer)).toBe(true);
    }
  });

  it('pins nothing when no message is named or its timestamp is not one', async () => {
    const channel = slack.channelByName('incidents')!.id;
    const pins: [Record<string, unknown>, string][] = [
      [{ channel }, 'no_item_specified'],
      [{ channel, timestamp: 'latest' }, 'bad_timestamp'],
    ];
    for (const [params, error] of pins) {
      const answer = await call('pins.add', params);
      expect({ params, answer }).toEqual({ params, answer: { ok: false, error } });
      expect(responseSchema('pins.add', 'default')(answer)).toBe(true);
    }
    expect(slack.channels.get(channel)!.pins.size).toBe(0);
  });
});

describe('what the bot relies on to pace itself and to adopt a war room', () => {
  it('conversations.list pages channels shaped like conversations.info, with the creator to tell ours apart', async () => {
    const list = await call('conversations.list', { limit: 2, types: 'public_channel,private_channel' });
    const validate = responseSchema('conversations.list', '200');
    validate(list);
    const real = (validate.errors ?? []).filter(
      (e: { keyword: string; params: unknown }) =>
        !(
          e.keyword === 'additionalProperties' &&
          SPEC_GAPS.has((e.params as { additionalProperty: string }).additionalProperty)
        ),
    );
    expect(real).toEqual([]);
    const reference = shape((sample('conversations.info') as { channel: unknown }).channel);
    for (const channel of list.channels as Record<string, unknown>[]) {
      const mismatches = [...shape(channel)].filter(([p, t]) => reference.get(p) !== t && t !== 'null').map(([p]) => p);
      expect(mismatches).toEqual([]);
    }
    const cursor = (list.response_metadata as { next_cursor: string }).next_cursor;
    expect(cursor).not.toBe('');
    const next = await call('conversations.list', { limit: 100, cursor });
    const names = [...(list.channels as { name: string }[]), ...(next.channels as { name: string }[])].map(
      (c) => c.name,
    );
    const created = names.indexOf('inc-2026-1122-001-auth');
    expect(created).toBeGreaterThanOrEqual(0);
    const ours = [...(list.channels as Record<string, unknown>[]), ...(next.channels as Record<string, unknown>[])][
      created
    ]!;
    expect(ours.creator).toBe(BOT_USER);
  });

  it('refuses to post, edit, invite or set a topic in an archived channel, as Slack does (is_archived)', async () => {
    const channel = slack.channelByName('inc-2026-1122-001-auth')!;
    const posted = await call('chat.postMessage', { channel: channel.id, text: 'before archiving' });
    channel.is_archived = true;
    try {
      const refusals = [
        await call('chat.postMessage', { channel: channel.id, text: 'after archiving' }),
        await call('chat.update', { channel: channel.id, ts: posted.ts, text: 'edited' }),
        await call('conversations.setTopic', { channel: channel.id, topic: 'x' }),
        await call('conversations.invite', { channel: channel.id, users: 'U0RESPOND1' }),
      ];
      expect(refusals).toEqual(refusals.map(() => ({ ok: false, error: 'is_archived' })));
      expect(await call('conversations.info', { channel: channel.id })).toMatchObject({
        channel: { is_archived: true },
      });
      expect(channel.messages.map((m) => m.text)).not.toContain('after archiving');
    } finally {
      channel.is_archived = false;
    }
  });

  it('with its limits on, answers a call over the limit 429 with a whole-second Retry-After, as the Web client expects', async () => {
    const limited = await new FakeSlack().start();
    limited.limitRates(1);
    try {
      const client = new WebClient(limited.token, clientOptions(limited.apiUrl));
      const names = ['a', 'b', 'c', 'd'].map((x) => `inc-2026-1122-00${x.charCodeAt(0) - 96}-burst`);
      const results = await Promise.allSettled(names.map((name) => client.conversations.create({ name })));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
      const refused = (results[3] as PromiseRejectedResult).reason as { code: string; retryAfter: number };
      expect(refused.code).toBe(ErrorCode.RateLimitedError);
      expect(Number.isInteger(refused.retryAfter) && refused.retryAfter >= 1).toBe(true);
      const raw = await fetch(`${limited.apiUrl}conversations.create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${limited.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'inc-2026-1122-005-burst' }),
      });
      expect(raw.status).toBe(429);
      expect(raw.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });
      expect(limited.channelByName('inc-2026-1122-004-burst')).toBeUndefined();
    } finally {
      await limited.stop();
    }
  });
});

describe('inbound payloads built by the tests', () => {
  it('have the fields of the samples', async () => {
    const slash = JSON.parse(
      readFileSync(new URL('samples/app-backend/slash-commands/SlashCommandPayload.json', SHARED), 'utf8'),
    ) as Record<string, unknown>;
    const { slashCommand, viewSubmission } = await import('../../src/playground/slack/payloads.js');
    const command = slashCommand({
      command: '/incident',
      text: 'list',
      user: 'U1',
      userName: 'dana',
      channel: 'C1',
      channelName: 'general',
      responseUrl: 'http://x/respond/1',
      triggerId: '1.2.3',
    });
    for (const key of Object.keys(slash))
      expect({ key, present: Object.hasOwn(command, key) }).toEqual({ key, present: true });
    const built = shape(viewSubmission({ id: 'V1', title: {}, submit: {}, close: {}, blocks: [] }, {}));
    const reference = shape(
      JSON.parse(readFileSync(new URL('samples/app-backend/views/ViewSubmissionPayload.json', SHARED), 'utf8')),
    );
    const unknown = [...built.keys()].filter(
      (p) =>
        !reference.has(p) &&
        !p.startsWith('view.state.values') &&
        !p.startsWith('view.blocks') &&
        !p.startsWith('view.title') &&
        !p.startsWith('response_urls'),
    );
    expect(unknown).toEqual([]);
  });

  it('block_actions clicks and event envelopes use the samples’ field names', async () => {
    const { blockAction, eventCallback } = await import('../../src/playground/slack/payloads.js');
    const fromSample = (path: string) => shape(JSON.parse(readFileSync(new URL(path, SHARED), 'utf8')));
    const outside = (built: Map<string, string>, reference: Map<string, string>, allowed: RegExp) =>
      [...built.keys()].filter((p) => !reference.has(p) && !allowed.test(p));
    const click = shape(
      blockAction({
        actionId: 'ack_incident',
        value: 'INC-2026-1122-001',
        user: 'U0DECLARER',
        channel: 'C0ROOM00001',
        messageTs: '1795000000.000100',
        responseUrl: 'http://x/respond',
        triggerId: '1.2.3',
      }),
    );
    expect(
      outside(
        click,
        fromSample('samples/app-backend/interactive-components/BlockActionPayload.json'),
        /^(message\.(blocks|user)|state\.values)/,
      ),
    ).toEqual([]);
    const events: [string, Record<string, unknown>][] = [
      [
        'ReactionAddedPayload.json',
        {
          type: 'reaction_added',
          user: 'U1',
          reaction: 'pushpin',
          item: { type: 'message', channel: 'C1', ts: '1.1' },
          item_user: 'U2',
        },
      ],
      [
        'PinAddedPayload.json',
        {
          type: 'pin_added',
          user: 'U1',
          channel_id: 'C1',
          item: {
            type: 'message',
            created: 1,
            created_by: 'U1',
            channel: 'C1',
            message: { type: 'message', text: 'x', user: 'U2', ts: '1.1', permalink: '' },
          },
          item_user: 'U2',
          pin_count: 1,
          pinned_info: { channel: 'C1', pinned_by: 'U1', pinned_ts: 1 },
        },
      ],
      [
        'MessageChangedPayload.json',
        {
          type: 'message',
          subtype: 'message_changed',
          channel: 'C1',
          hidden: true,
          message: { type: 'message', user: 'U1', text: 'x', ts: '1.1', edited: { user: 'U1', ts: '1.2' } },
          previous_message: { type: 'message', user: 'U1', text: 'y', ts: '1.1' },
          ts: '1.2',
          channel_type: 'channel',
        },
      ],
      [
        'MessageDeletedPayload.json',
        {
          type: 'message',
          subtype: 'message_deleted',
          channel: 'C1',
          hidden: true,
          deleted_ts: '1.1',
          previous_message: { type: 'message', user: 'U1', text: 'y', ts: '1.1' },
          ts: '1.2',
          channel_type: 'channel',
        },
      ],
      [
        'MessagePayload.json',
        {
          client_msg_id: 'm',
          type: 'message',
          team: 'T1',
          channel: 'C1',
          user: 'U1',
          text: 'x',
          ts: '1.1',
          thread_ts: '1.0',
          channel_type: 'channel',
        },
      ],
    ];
    for (const [file, event] of events) {
      const reference = fromSample(`samples/events/${file}`);
      expect({
        file,
        unknown: outside(shape(eventCallback(event)), reference, /^(authorizations|event_context|context_)/),
      }).toEqual({ file, unknown: [] });
    }
  });
});
