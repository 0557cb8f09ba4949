import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebClient } from '@slack/web-api';
import { createEmulator } from 'emulate';
import { parse } from 'yaml';
import { ChatFailure } from '../../src/errors.js';
import { DEFAULT_POLICY } from '../../src/incident/policy.js';
import type { Chat } from '../../src/incident/ports.js';
import { clientOptions } from '../../src/slack/app.js';
import { createSlackChat } from '../../src/slack/chat.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { anIncident } from '../support/incident-fixture.js';

const SCOPES = (
  parse(readFileSync(new URL('../../manifests/slack-app.yaml', import.meta.url), 'utf8')) as {
    oauth_config: { scopes: { bot: string[] } };
  }
).oauth_config.scopes.bot;
const TOKEN = 'xoxb-differential-0001';

const incident = anIncident();

/** Runs the war-room steps through our Chat adapter and records what each step answered. */
async function script(chat: Chat): Promise<string[]> {
  const outcome = async (step: () => Promise<unknown>) => {
    try {
      await step();
      return 'ok';
    } catch (err) {
      return err instanceof ChatFailure ? err.code : `unexpected ${(err as Error).message}`;
    }
  };
  const log: string[] = [];
  let room = '';
  log.push(
    await outcome(async () => {
      room = (await chat.createChannel('inc-2026-1122-001-auth-down')).id;
    }),
  );
  log.push(await outcome(() => chat.createChannel('inc-2026-1122-001-auth-down')));
  log.push(await outcome(() => chat.createChannel('Not A Valid Name!')));
  const found = await chat.findChannel('inc-2026-1122-001-auth-down');
  log.push(found?.id === room && !found.archived ? 'found' : `not found: ${JSON.stringify(found)}`);
  log.push((await chat.findChannel('inc-2026-1122-999-never-made')) === undefined ? 'absent' : 'found a ghost');
  log.push(await outcome(() => chat.setTopic(room, { ...incident, channelId: room })));
  let ts = '';
  log.push(
    await outcome(async () => {
      ts = (await chat.post(room, { kind: 'card', incident: { ...incident, channelId: room } })).ts;
    }),
  );
  log.push(
    await outcome(() =>
      chat.edit(room, ts, { kind: 'card', incident: { ...incident, channelId: room, status: 'identified' } }),
    ),
  );
  log.push(await outcome(() => chat.pin(room, ts)));
  log.push(await outcome(() => chat.pin(room, ts)));
  log.push(await outcome(() => chat.post('C0NOSUCH0001', { kind: 'alert', incident })));
  return log;
}

let emulator: { url: string; close(): Promise<void> };
let fake: FakeSlack;
beforeAll(async () => {
  emulator = await createEmulator({
    service: 'slack',
    port: 0,
    seed: {
      slack: {
        team: { name: 'Firebreak', domain: 'firebreak' },
        users: [{ name: 'dana', real_name: 'Dana' }],
        tokens: [{ token: TOKEN, user: 'dana', scopes: SCOPES }],
        strict_scopes: true,
      },
    } as never,
  });
  fake = await new FakeSlack(TOKEN).start();
});
afterAll(async () => {
  await emulator.close();
  await fake.stop();
});

describe('our Chat adapter against an independent Slack emulator (emulate 0.12.2) and our fake', () => {
  it('gets the same answers from both, with only the manifest’s scopes', async () => {
    const onEmulator = await script(
      createSlackChat(
        new WebClient(TOKEN, clientOptions(`${emulator.url}/api/`)),
        DEFAULT_POLICY,
        async () => undefined,
      ),
    );
    const onFake = await script(
      createSlackChat(new WebClient(TOKEN, clientOptions(fake.apiUrl)), DEFAULT_POLICY, async () => undefined),
    );
    expect(onEmulator).toEqual([
      'ok',
      'name_taken',
      'invalid_name_specials',
      'found',
      'absent',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'channel_not_found',
    ]);
    expect(onFake).toEqual(onEmulator);
  });
});
