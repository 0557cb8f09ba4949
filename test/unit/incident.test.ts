import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration } from '../../src/incident/duration.js';
import { formatIncidentId, warRoomName } from '../../src/incident/incident.js';

const VALID = /^[a-z0-9_-]{1,80}$/;

describe('incident IDs', () => {
  it('are INC-YYYY-MMDD-NNN in UTC', () => {
    expect(formatIncidentId(new Date('2026-11-22T23:59:59Z'), 7)).toBe('INC-2026-1122-007');
    expect(formatIncidentId(new Date('2026-01-02T00:00:00Z'), 1234)).toBe('INC-2026-0102-1234');
  });
});

describe('war-room names', () => {
  it('are always valid Slack channel names', () => {
    for (const title of [
      'Auth service down',
      'x'.repeat(300),
      '数据库 故障',
      '🔥🔥🔥',
      'Crème brûlée API',
      '   ',
      'a.b/c\\d',
    ]) {
      for (const attempt of [1, 2, 17]) expect(warRoomName('INC-2026-1122-001', title, attempt)).toMatch(VALID);
    }
  });
  it('keep Latin letters from accents and drop other scripts', () => {
    expect(warRoomName('INC-2026-1122-001', 'Crème brûlée API')).toBe('inc-2026-1122-001-creme-brulee-api');
    expect(warRoomName('INC-2026-1122-001', '数据库 故障')).toBe('inc-2026-1122-001');
    expect(warRoomName('INC-2026-1122-001', 'x'.repeat(300), 3)).toHaveLength(80);
    expect(warRoomName('INC-2026-1122-001', 'x'.repeat(300), 3).endsWith('-3')).toBe(true);
  });
});

describe('durations', () => {
  it('parse and print', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('15 min')).toBeUndefined();
    expect(formatDuration(3_725_000)).toBe('1h 2m');
  });
});
