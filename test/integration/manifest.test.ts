import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
  'conversations.history': 'channels:history',
  'chat.getPermalink': null,
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'conversations.replies': 'channels:history',
  'conversations.open': 'im:write',
  'conversations.list': 'channels:read',
};

const manifest = parse(readFileSync(new URL('../../manifests/slack-app.yaml', import.meta.url), 'utf8')) as {
  features: { slash_commands: { command: string; url: string; should_escape: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string };
    event_subscriptions: { request_url: string; bot_events: string[] };
  };
};

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.slack.usergroups.set('S0ONCALL01', ['U0RESPOND1']);
});
afterAll(async () => {
  await h.stop();
});

describe('the Slack app manifest', () => {
  it('subscribes to the events capture needs, with the scopes the Events API requires for each', () => {
    const spec = JSON.parse(readFileSync(new URL('events-api.asyncapi.json', SLACK_TEST_DATA), 'utf8')) as {
      topics: Record<string, { subscribe?: { 'x-scopes-required'?: string[] } }>;
    };
    const events = manifest.settings.event_subscriptions.bot_events;
    expect(events).toEqual(
      expect.arrayContaining(['reaction_added', 'reaction_removed', 'pin_added', 'message.channels']),
    );
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
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

  it('declares /incident and interactivity on the events URL', () => {
    const command = manifest.features.slash_commands.find((c) => c.command === '/incident')!;
    expect(command.url).toMatch(/\/slack\/events$/);
    expect(command.should_escape).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toBe(command.url);
  });

  it('grants a scope for every Web API method the bot calls in a full incident', async () => {
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
    const methods = [...new Set(h.slack.calls.map((c) => c.method))].sort();
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
