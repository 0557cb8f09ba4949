/**
 * `npm run bench`: every performance figure, each beside a baseline measured
 * in the same run on this machine. Bounded in time (about 10 minutes in all;
 * BENCH_CLOCK_MINUTES and BENCH_CAPTURE_SECONDS shorten the soaks, BENCH_ONLY picks sections).
 */
import { ackBench } from './ack.js';
import { attentionBench } from './attention.js';
import { captureBench } from './capture.js';
import { clockBench } from './clocks.js';
import { concurrencyBench } from './concurrency.js';
import { diagBench } from './diag.js';
import { historyBench } from './history.js';
import { rateLimitBench } from './rate-limits.js';
import { runbookBench } from './runbooks.js';
import { stormBench } from './storm.js';

process.env.FIREBREAK_TEST_RUN ??= `bench${Date.now().toString(36)}`;

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const sections = (
    [
      ['ack', 'Command ack latency (issue: incident lifecycle)', ackBench],
      ['clocks', 'Incident clocks (issue: durable clocks)', clockBench],
      ['capture', 'Scribe capture (issue: timeline capture)', captureBench],
      ['runbooks', 'Runbook executor (issue: guarded runbooks)', runbookBench],
      ['history', 'A year of history (issue: costs that do not grow with history)', historyBench],
      ['concurrency', 'Concurrent commands on one incident (issue: nothing lost under concurrency)', concurrencyBench],
      [
        'ratelimits',
        "A burst under Slack's rate limits (issue: nothing lost under Slack's rate limits)",
        rateLimitBench,
      ],
      ['diag', 'Database diagnostics (issue: database diagnostics from the war room)', diagBench],
      ['storm', 'An alert storm (issue: PagerDuty and Alertmanager)', stormBench],
      [
        'attention',
        "A scripted P1's Slack calls and pings, before and after (issue: a responder's attention)",
        attentionBench,
      ],
    ] as const
  )
    .filter(([key]) => !only || only.split(',').includes(key))
    .map(([, title, run]) => [title, run] as const);
  for (const [title, run] of sections) {
    process.stdout.write(`\n== ${title}\n`);
    for (const line of await run()) process.stdout.write(`${line}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
