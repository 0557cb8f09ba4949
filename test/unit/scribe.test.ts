import { describe, expect, it } from '@jest/globals';
import type { Incident } from '../../src/incident/incident.js';
import { DEFAULT_POLICY, type Policy } from '../../src/incident/policy.js';
import type { Directory, IncidentStore, RecordStore } from '../../src/incident/ports.js';
import type { Capture, CaptureReason } from '../../src/incident/record-items.js';
import { createScribe } from '../../src/incident/scribe.js';

/** In-memory stand-ins for the ports: this suite's seam is the capture rules alone. */
function setup(policy: Policy) {
  const incident = {
    id: 'INC-2026-1122-001',
    channelId: 'C0ROOM00001',
    roles: { scribe: 'U0SCRIBE01' },
    status: 'investigating',
  } as unknown as Incident;
  const captured: { c: Capture; reason: CaptureReason }[] = [];
  const store = {
    findByChannel: async (ch: string) => (ch === incident.channelId ? incident : undefined),
  } as unknown as IncidentStore;
  const record = {
    addReason: async () => false,
    capture: async (_: string, c: Capture, reason: CaptureReason) => {
      captured.push({ c, reason });
      return 'added' as const;
    },
  } as unknown as RecordStore;
  const directory = {
    fetchMessage: async () => ({ userId: 'U0OTHER001', text: 'fetched', threadTs: null, botId: null, at: new Date() }),
    displayName: async (id: string) => `name-of-${id}`,
    permalink: async () => 'https://x/p1',
  } as unknown as Directory;
  return { scribe: createScribe({ store, recordStore: record, directory, policy }), captured };
}

describe('capture rules', () => {
  const message = { userId: 'U0SCRIBE01', text: 'decided to fail over', threadTs: null, botId: null, at: new Date() };
  const ref = { channel: 'C0ROOM00001', ts: '1795000000.000100' };

  it('captures the scribe’s messages unless the policy turns that off', async () => {
    const on = setup(DEFAULT_POLICY);
    expect(await on.scribe.message(ref, message)).toBe('added');
    expect(on.captured[0]!.c).toMatchObject({
      authorName: 'name-of-U0SCRIBE01',
      text: 'decided to fail over',
      permalink: 'https://x/p1',
    });
    const off = setup({ ...DEFAULT_POLICY, capture: { emoji: 'pushpin', scribeMessages: false } });
    expect(await off.scribe.message(ref, message)).toBe('ignored');
    expect(off.captured).toEqual([]);
  });

  it('uses the configured capture emoji, skin tones included, and never captures bot messages', async () => {
    const memo = setup({ ...DEFAULT_POLICY, capture: { emoji: 'memo', scribeMessages: true } });
    expect(await memo.scribe.reactionAdded('pushpin', 'U1', ref)).toBe('ignored');
    expect(await memo.scribe.reactionAdded('memo::skin-tone-2', 'U1', ref)).toBe('added');
    expect(await memo.scribe.message(ref, { ...message, botId: 'B0FIREBOT1' })).toBe('ignored');
  });
});
