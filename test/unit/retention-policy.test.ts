import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, parsePolicy } from '../../src/incident/policy.js';
import { SourceError } from '../../src/yaml-source.js';

const severities = `severities:
  P1:
    description: Major feature unavailable
`;
const DAY = 86_400_000;

function problems(text: string): string[] {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof SourceError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('the retention policy', () => {
  it('keeps idempotency keys 7 days, finished effects, job records, pages and alert groups 30 days, and runs hourly by default', () => {
    const expected = {
      idempotencyKeysMs: 7 * DAY,
      finishedEffectsMs: 30 * DAY,
      jobRecordsMs: 30 * DAY,
      pagesMs: 30 * DAY,
      alertGroupsMs: 30 * DAY,
      everyMs: 3_600_000,
    };
    expect(DEFAULT_POLICY.retention).toEqual(expected);
    expect(parsePolicy(severities, 'policy.yaml').retention).toEqual(expected);
  });

  it('takes durations from the policy file', () => {
    const p = parsePolicy(
      `${severities}retention:\n  idempotencyKeys: 2d\n  jobRecords: 90d\n  pages: 14d\n  alertGroups: 60d\n  every: 15m\n`,
      'p.yaml',
    );
    expect(p.retention).toEqual({
      idempotencyKeysMs: 2 * DAY,
      finishedEffectsMs: 30 * DAY,
      jobRecordsMs: 90 * DAY,
      pagesMs: 14 * DAY,
      alertGroupsMs: 60 * DAY,
      everyMs: 15 * 60_000,
    });
  });

  it('refuses to delete incidents, and durations too short for retries, saying why', () => {
    const text = problems(`${severities}retention:\n  incidents: 90d\n  idempotencyKeys: 10m\n`).join('\n');
    expect(text).toContain('policy.yaml:5: retention.incidents: can only be keep');
    expect(text).toContain('Firebreak never deletes them');
    expect(text).toContain('policy.yaml:6: retention.idempotencyKeys: is too short: keep it at least 1h');
    expect(problems(`${severities}retention:\n  incidents: keep\n`)).toEqual([]);
  });
});
