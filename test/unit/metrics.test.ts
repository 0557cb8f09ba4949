import type { ServerResponse } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../src/http/metrics.js';
import type { SeverityStats } from '../../src/incident/stats.js';

const stats = (count: number): SeverityStats[] => [
  {
    severity: 'P1',
    count,
    mtta: { median: 60_000, p90: 120_000 },
    mttm: { median: null, p90: null },
    mttr: { median: 600_000, p90: 900_000 },
    updatesOnTime: 0.5,
  },
];

/** Scrapes the route as Prometheus would; resolves with the exposition text. */
function scrape(route: ReturnType<typeof createMetrics>['route']): Promise<string> {
  return new Promise((resolve) => {
    const res = { writeHead: () => res, end: (text: string) => resolve(text) } as unknown as ServerResponse;
    route.handler({} as never, res);
  });
}

const gauge = (text: string, name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];

describe('/metrics', () => {
  it('computes the 30-day figures at most once a minute and says how old they are', async () => {
    let now = 1_000_000;
    let count = 3;
    let computed = 0;
    let fail = false;
    const errors: unknown[] = [];
    const { route } = createMetrics(
      {
        openBySeverity: async () => new Map([['P1', 2]]),
        stats: async () => {
          computed++;
          if (fail) throw new Error('postgres away');
          return stats(count);
        },
      },
      { now: () => now, onStatsError: (err) => errors.push(err) },
    );

    let text = await scrape(route);
    expect(computed).toBe(1);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 3\n/);
    expect(text).toMatch(/firebreak_open_incidents\{severity="P1"\} 2\n/);
    expect(gauge(text, 'firebreak_incident_stats_age_seconds')).toBe('0');

    count = 5;
    now += 30_000;
    text = await scrape(route);
    expect(computed).toBe(1);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 3\n/);
    expect(gauge(text, 'firebreak_incident_stats_age_seconds')).toBe('30');

    now += 31_000;
    text = await scrape(route);
    expect(computed).toBe(2);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 3\n/);
    text = await scrape(route);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 5\n/);
    expect(gauge(text, 'firebreak_incident_stats_age_seconds')).toBe('0');
    expect(computed).toBe(2);

    fail = true;
    now += 120_000;
    await scrape(route);
    text = await scrape(route);
    expect(errors).toHaveLength(1);
    expect(text).toMatch(/firebreak_incidents_30d\{severity="P1"\} 5\n/);
    expect(Number(gauge(text, 'firebreak_incident_stats_age_seconds'))).toBe(120);
  });
});
