import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SeverityStats } from '../incident/stats.js';
import type { Route } from './health.js';
import { createRefreshing } from './refreshing.js';

export interface MetricsSources {
  /** Open incidents per severity: a count in Postgres, not a load of every incident. */
  openBySeverity(): Promise<ReadonlyMap<string, number>>;
  /** Incident metrics over the window Prometheus reports (30 days). */
  stats(): Promise<readonly SeverityStats[]>;
}

export interface MetricsOptions {
  /** The 30-day figures are recomputed at most this often (default: once a minute). */
  readonly statsEveryMs?: number;
  readonly now?: () => number;
  /** A recomputation failed; the previous figures are served, and their age says so. */
  readonly onStatsError?: (err: unknown) => void;
}

/**
 * GET /metrics in Prometheus text format: the incident metrics of
 * `/incident stats` (30 days, drills left out, computed at most once a
 * minute and served with their age) and the bot's own health.
 */
export function createMetrics(sources: MetricsSources, options: MetricsOptions = {}) {
  const now = options.now ?? Date.now;
  const stats = createRefreshing(() => sources.stats(), {
    everyMs: options.statsEveryMs ?? 60_000,
    now,
    onError: options.onStatsError ?? (() => undefined),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'firebreak_process_' });
  const commandDuration = new Histogram({
    name: 'firebreak_command_duration_seconds',
    help: 'Time to handle a slash command, by verb',
    labelNames: ['verb'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [registry],
  });
  const queueLag = new Histogram({
    name: 'firebreak_queue_lag_seconds',
    help: 'Delay from a job falling due to a worker starting it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'firebreak_open_incidents',
    help: 'Open incidents by severity',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [severity, count] of await sources.openBySeverity()) this.set({ severity }, count);
    },
  });
  new Gauge({
    name: 'firebreak_incident_stats_age_seconds',
    help: 'How long ago the 30-day incident figures (MTTA, MTTM, MTTR, counts, updates on time) were computed',
    registers: [registry],
    async collect() {
      this.set((now() - (await stats.get()).at) / 1000);
    },
  });
  const sweepDuration = new Histogram({
    name: 'firebreak_sweep_duration_seconds',
    help: 'Time of one clock sweep: asking Postgres what is due and firing it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const retained = new Counter({
    name: 'firebreak_retention_deleted_total',
    help: 'Records deleted by the retention policy, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  const quantiles = (
    name: string,
    help: string,
    pick: (s: SeverityStats) => { median: number | null; p90: number | null },
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['severity', 'quantile'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const s of await statsOnce()) {
          const v = pick(s);
          if (v.median !== null) this.set({ severity: s.severity, quantile: '0.5' }, v.median / 1000);
          if (v.p90 !== null) this.set({ severity: s.severity, quantile: '0.9' }, v.p90 / 1000);
        }
      },
    });
  const statsOnce = async () => (await stats.get()).value;
  quantiles('firebreak_mtta_seconds', 'Time to acknowledge, last 30 days', (s) => s.mtta);
  quantiles('firebreak_mttm_seconds', 'Time to mitigate from impact start, last 30 days', (s) => s.mttm);
  quantiles('firebreak_mttr_seconds', 'Time to resolve from impact start, last 30 days', (s) => s.mttr);
  new Gauge({
    name: 'firebreak_incidents_30d',
    help: 'Incidents declared in the last 30 days (drills left out)',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await statsOnce()) this.set({ severity: s.severity }, s.count);
    },
  });
  new Gauge({
    name: 'firebreak_updates_on_time_ratio',
    help: 'Status updates posted before they fell due, last 30 days',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const s of await statsOnce())
        if (s.updatesOnTime !== null) this.set({ severity: s.severity }, s.updatesOnTime);
    },
  });

  const route: Route = {
    path: '/metrics',
    method: 'GET',
    handler: (_req, res) => {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(503, { 'content-type': 'text/plain' });
          res.end(`metrics unavailable: ${err.message}\n`);
        },
      );
    },
  };
  return {
    route,
    observeCommand: (verb: string, seconds: number) => commandDuration.observe({ verb }, seconds),
    observeQueueLag: (seconds: number) => queueLag.observe(seconds),
    observeSweep: (seconds: number) => sweepDuration.observe(seconds),
    countDeleted: (kind: string, count: number) => retained.inc({ kind }, count),
  };
}
