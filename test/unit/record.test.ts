import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { DEFAULT_POLICY } from '../../src/incident/policy.js';
import type { IncidentHistory } from '../../src/incident/ports.js';
import { parseStartedAt } from '../../src/incident/scribe.js';
import { computeStats } from '../../src/incident/stats.js';

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

describe('computeStats', () => {
  const at = (m: number) => new Date(Date.UTC(2026, 10, 22, 10, m));
  const row = (p: Partial<IncidentHistory>): IncidentHistory => ({
    severity: 'P1',
    impactStartedAt: null,
    declaredAt: at(0),
    ackedAt: null,
    mitigatedAt: null,
    resolvedAt: null,
    updatesOnTime: 0,
    updatesMissed: 0,
    ...p,
  });
  it('gives median and p90 per severity, from the impact start when known', () => {
    const stats = computeStats(
      [
        row({ ackedAt: at(2), resolvedAt: at(30), updatesOnTime: 3, updatesMissed: 1 }),
        row({ ackedAt: at(4), impactStartedAt: at(-10), resolvedAt: at(50), mitigatedAt: at(20), updatesOnTime: 1 }),
        row({ severity: 'P3' }),
      ],
      DEFAULT_POLICY,
    );
    const p1 = stats.find((s) => s.severity === 'P1')!;
    expect(p1.count).toBe(2);
    expect(p1.mtta).toEqual({ median: 3 * 60_000, p90: 3.8 * 60_000 });
    expect(p1.mttr.median).toBe(45 * 60_000);
    expect(p1.mttm).toEqual({ median: 30 * 60_000, p90: 30 * 60_000 });
    expect(p1.updatesOnTime).toBe(0.8);
    expect(stats.find((s) => s.severity === 'P3')).toMatchObject({
      count: 1,
      mtta: { median: null, p90: null },
      updatesOnTime: null,
    });
    expect(stats.map((s) => s.severity)).toEqual(['P0', 'P1', 'P2', 'P3']);
  });
});
