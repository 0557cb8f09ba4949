import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { SLACK_TEST_DATA } from '../support/paths.js';

/** The bot scope each Web API method needs (Slack's method reference). */
const SCOPE: Record<string, string | null> = {
  'auth.test': null,
  'views.open': null,
  'views.update': null,
  'views.push': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'conversations.create': 'channels:manage',
  'conversations.invite': 'channels:manage',
  'conversations.setTopic': 'channels:manage',
  'conversations.join': 'channels:join',
  'conversations.info': 'channels:read',
  'pins.add': 'pins:write',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'users.lookupByEmail': 'users:read.email',
  'conversations.history': 'channels:history',
  'chat.getPermalink': null,
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'conversations.replies': 'channels:history',
  'conversations.open': 'im:write',
  'conversations.list': 'channels:read',
};

interface SlackManifest {
  _metadata?: { major_version: number };
  features: { slash_commands: { command: string; url?: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url?: string };
    event_subscriptions: { request_url?: string; bot_events: string[] };
    socket_mode_enabled: boolean;
  };
}

const read = (file: string) => readFileSync(new URL(`../../manifests/${file}`, import.meta.url), 'utf8');
const MANIFESTS = [
  { mode: 'HTTP', file: 'slack-app.yaml', manifest: parse(read('slack-app.yaml')) as SlackManifest },
  {
    mode: 'Socket Mode',
    file: 'slack-app-socket-mode.yaml',
    manifest: parse(read('slack-app-socket-mode.yaml')) as SlackManifest,
  },
];

/** Slack's manifest schema, loaded offline as its README says: each version under the URL the root refers to. */
function manifestSchema() {
  const dir = new URL('manifest-schema/', SLACK_TEST_DATA);
  const load = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  for (const version of ['1.0.0', '2.0.0'])
    ajv.addSchema(
      load(`manifest.schema.${version}.json`),
      `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${version}.json`,
    );
  return ajv.compile(load('manifest.schema.json'));
}

let h: Harness;
/** Every Web API method the bot calls in a full incident, found once for both manifests. */
let methods: string[];
beforeAll(async () => {
  h = await startHarness();
  h.slack.usergroups.set('S0ONCALL01', ['U0RESPOND1']);
  const ack = await h.command('declare P1 Scope audit');
  const id = /INC-\d{4}-\d{4}-\d{3}/.exec(await h.reply(ack.responseUrl))![0];
  for (const line of [
    `role ${id} lead <@U0RESPOND1>`,
    `update ${id} checking`,
    `severity ${id} P0`,
    `resolve ${id} done`,
    `postmortem ${id}`,
    `timeline ${id}`,
  ]) {
    await h.reply((await h.command(line)).responseUrl);
  }
  await h.command('declare');
  await waitFor(() => h.slack.callsTo('views.open').length > 0);
  methods = [...new Set(h.slack.calls.map((c) => c.method))].sort();
});
afterAll(async () => {
  await h.stop();
});

describe("Slack's manifest schema", () => {
  it('is loaded so that it tells a valid manifest from an invalid one (its own examples)', () => {
    const validate = manifestSchema();
    const example = (name: string) =>
      JSON.parse(readFileSync(new URL(`manifest-schema/examples/${name}`, SLACK_TEST_DATA), 'utf8')) as object;
    expect(validate(example('v1.valid.json'))).toBe(true);
    expect(validate(example('v1.invalid.json'))).toBe(false);
  });
});

describe.each(MANIFESTS)('the Slack app manifest for $mode ($file)', ({ mode, manifest }) => {
  it("validates against Slack's app manifest schema, as pasting it into Slack would", () => {
    const validate = manifestSchema();
    validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('subscribes to the events capture needs, with the scopes the Events API requires for each', () => {
    const spec = JSON.parse(readFileSync(new URL('events-api.asyncapi.json', SLACK_TEST_DATA), 'utf8')) as {
      topics: Record<string, { subscribe?: { 'x-scopes-required'?: string[] } }>;
    };
    const events = manifest.settings.event_subscriptions.bot_events;
    expect(events).toEqual(
      expect.arrayContaining(['reaction_added', 'reaction_removed', 'pin_added', 'message.channels']),
    );
    if (mode === 'HTTP') expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    else expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    for (const event of events) {
      const topic = event.includes('.') ? event : event.replace('_', '.');
      for (const scope of spec.topics[topic]!.subscribe!['x-scopes-required'] ?? [])
        expect({ event, scope, granted: manifest.oauth_config.scopes.bot.includes(scope) }).toEqual({
          event,
          scope,
          granted: true,
        });
    }
  });

  it('declares /incident and interactivity on the events URL (HTTP), or on the socket (Socket Mode)', () => {
    const command = manifest.features.slash_commands.find((c) => c.command === '/incident')!;
    expect(command.should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    if (mode === 'HTTP') {
      expect(command.url).toMatch(/\/slack\/events$/);
      expect(manifest.settings.interactivity.request_url).toBe(command.url);
      expect(manifest.settings.socket_mode_enabled).toBe(false);
    } else {
      expect(command.url).toBeUndefined();
      expect(manifest.settings.interactivity.request_url).toBeUndefined();
      expect(manifest.settings.socket_mode_enabled).toBe(true);
    }
  });

  it('grants a scope for every Web API method the bot calls in a full incident', () => {
    expect(methods.length).toBeGreaterThan(5);
    for (const method of methods) {
      expect({ method, known: method in SCOPE }).toEqual({ method, known: true });
      const scope = SCOPE[method];
      if (scope)
        expect({ method, granted: manifest.oauth_config.scopes.bot.includes(scope) }).toEqual({
          method,
          granted: true,
        });
    }
    expect(manifest.oauth_config.scopes.bot).toContain('commands');
  });
});

it('both manifests grant the same scopes and events, and differ only in how Slack reaches the bot', () => {
  const [http, socket] = MANIFESTS.map((m) => m.manifest);
  expect(socket!.oauth_config).toEqual(http!.oauth_config);
  expect(socket!.settings.event_subscriptions.bot_events).toEqual(http!.settings.event_subscriptions.bot_events);
  const withoutUrls = (m: SlackManifest) => m.features.slash_commands.map(({ url: _url, ...rest }) => rest);
  expect(withoutUrls(socket!)).toEqual(withoutUrls(http!));
});
