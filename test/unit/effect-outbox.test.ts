import { describe, expect, it } from '@jest/globals';
import { ChatFailure } from '../../src/errors.js';
import { INCIDENTS_CHANNEL, type MemoryIncidents, memoryIncidents, typedBy } from '../support/memory/incidents.js';

/** A P2 (no war room): its only Slack work is the announcement in the incidents channel. */
async function declareP2(w: MemoryIncidents) {
  return w.service.declare({ severity: 'P2', title: 'Slow search' }, typedBy());
}
const announcements = (w: MemoryIncidents) => w.chat.posted('alert').filter((p) => p.channel === INCIDENTS_CHANNEL);
const failures = (w: MemoryIncidents, id: string) => w.store.timeline(id).filter((e) => e.kind === 'effect_failed');

describe('the outbox retry policy', () => {
  it('a failed effect is told to the person, noted once, retried after the backoff, and noted when it recovers', async () => {
    const w = memoryIncidents();
    w.chat.failNext('post', new ChatFailure('internal_error', true));
    w.chat.failNext('post', new ChatFailure('internal_error', true));
    const o = await declareP2(w);
    expect(o.failures).toEqual([
      {
        what: 'Announcing in the incidents channel',
        code: 'internal_error',
        retryAt: new Date(w.clock.now().getTime() + 5_000),
      },
    ]);
    await w.advance(5_000);
    expect(announcements(w)).toHaveLength(0);
    await w.advance(10_000);
    expect(announcements(w)).toHaveLength(1);
    expect(failures(w, o.incident.id)).toHaveLength(1);
    expect(w.store.timeline(o.incident.id).at(-1)).toMatchObject({
      kind: 'effect_recovered',
      text: 'Announcing in the incidents channel: done after 3 attempts',
    });
  });

  it('waits what Slack’s Retry-After says instead of the backoff', async () => {
    const w = memoryIncidents();
    w.chat.failNext('post', new ChatFailure('ratelimited', true, 30_000));
    const o = await declareP2(w);
    expect(o.failures[0]!.retryAt).toEqual(new Date(w.clock.now().getTime() + 30_500));
    await w.advance(29_000);
    expect(announcements(w)).toHaveLength(0);
    await w.advance(1_500);
    expect(announcements(w)).toHaveLength(1);
  });

  it('gives up at once on what retrying cannot fix, and says to do it by hand', async () => {
    const w = memoryIncidents();
    w.chat.failNext('post', new ChatFailure('channel_not_found', false));
    const o = await declareP2(w);
    expect(o.failures[0]).toMatchObject({ code: 'channel_not_found', retryAt: null });
    expect(failures(w, o.incident.id).at(-1)!.text).toBe(
      'Announcing in the incidents channel failed (channel_not_found); gave up after 1 attempt(s). Do it by hand.',
    );
    expect(w.outbox.of(o.incident.id, 'failed')).toHaveLength(1);
    await w.advance(3_600_000);
    expect(announcements(w)).toHaveLength(0);
  });

  it('gives up after 20 attempts', async () => {
    const w = memoryIncidents({ backoffMs: () => 1_000 });
    for (let n = 0; n < 25; n++) w.chat.failNext('post', new ChatFailure('internal_error', true));
    const o = await declareP2(w);
    for (let n = 0; n < 30; n++) await w.advance(1_000);
    expect(w.outbox.of(o.incident.id, 'failed')).toHaveLength(1);
    expect(w.outbox.of(o.incident.id)[0]!.attempts).toBe(20);
    expect(failures(w, o.incident.id).at(-1)!.text).toContain('gave up after 20 attempt(s)');
  });

  it('an answer lost after Slack posted: the retry looks for its message first and does not post twice', async () => {
    const w = memoryIncidents();
    w.chat.failNext('post', new ChatFailure('request_timeout', true, undefined, true), { done: true });
    await declareP2(w);
    await w.advance(5_000);
    expect(announcements(w)).toHaveLength(1);
    expect(w.outbox.effects.every((e) => e.state === 'done')).toBe(true);
  });
});
