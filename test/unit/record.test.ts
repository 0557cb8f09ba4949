import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { parseStartedAt } from '../../src/incident/scribe.js';

describe('/incident started', () => {
  const now = new Date('2026-11-22T15:00:00Z');
  it('reads HH:MM in the typist’s zone, today or yesterday', () => {
    expect(parseStartedAt('14:05', now, 0).toISOString()).toBe('2026-11-22T14:05:00.000Z');
    expect(parseStartedAt('15:30', now, 3600).toISOString()).toBe('2026-11-22T14:30:00.000Z');
    expect(parseStartedAt('23:50', now, 0).toISOString()).toBe('2026-11-21T23:50:00.000Z');
    expect(parseStartedAt('2026-11-22T13:00Z', now, 0).toISOString()).toBe('2026-11-22T13:00:00.000Z');
  });
  it('refuses what is not a time, or a time in the future', () => {
    expect(() => parseStartedAt('25:00', now, 0)).toThrow(UserError);
    expect(() => parseStartedAt('soon', now, 0)).toThrow('HH:MM');
    expect(() => parseStartedAt('2026-11-23T13:00Z', now, 0)).toThrow('future');
  });
});
