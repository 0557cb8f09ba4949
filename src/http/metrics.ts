import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Incident } from '../incident/incident.js';
import type { SeverityStats } from '../incident/stats.js';
import type { Route } from './health.js';

export interface MetricsSources {
  openIncidents(): Promise<readonly Incident[]>;
  /** Incident metrics over the window Prometheus reports (30 days). */
  stats(): Promise<readonly SeverityStats[]>;
}

/**
 * GET /metrics in Prometheus text format: the incident metrics of
 * `/incident stats` (30 days, drills left out) and the bot's own health.
 */
export function createMetrics(sources: MetricsSources) {
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
      for (const i of await sources.openIncidents()) this.inc({ severity: i.severity });
    },
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
  let pending: Promise<readonly SeverityStats[]> | undefined;
  /** One stats query per scrape, however many gauges read it. */
  const statsOnce = () =>
    (pending ??= sources.stats().finally(() => setTimeout(() => (pending = undefined), 1000).unref()));
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
  };
}
