import { describe, expect, it } from '@jest/globals';
import { WebClient } from '@slack/web-api';
import { findKeyed, keyMetadata } from '../../src/slack/chat.js';

/** A Web client whose `conversations.history` answers with `messages`. */
const clientWith = (messages: unknown[]) =>
  new WebClient('xoxb-test', {
    retryConfig: { retries: 0 },
    fetch: async () =>
      new Response(JSON.stringify({ ok: true, messages }), { headers: { 'content-type': 'application/json' } }),
  });

describe('a retried post finds the message it already posted', () => {
  it('by the key in its metadata, passing over messages without one or with another', async () => {
    const client = clientWith([
      { ts: '1.000001', text: 'a person talking' },
      { ts: '1.000002', metadata: { event_type: 'firebreak_effect', event_payload: {} } },
      { ts: '1.000003', metadata: keyMetadata('effect-7') },
      { ts: '1.000004', metadata: keyMetadata('effect-8') },
    ]);
    expect(await findKeyed(client, 'C0WARROOM1', 'effect-8')).toEqual({ channel: 'C0WARROOM1', ts: '1.000004' });
  });

  it('finds nothing when no recent message carries the key, so the post is sent', async () => {
    const client = clientWith([{ ts: '1.000003', metadata: keyMetadata('effect-7') }]);
    expect(await findKeyed(client, 'C0WARROOM1', 'effect-9')).toBeUndefined();
  });
});
