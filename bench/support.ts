import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The value below which `p`% of `values` fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The fake Slack in a child process: the bot under test must not pay for the fake's schema checks. */
export async function fakeSlackProcess(): Promise<{ url: string; token: string; stop(): void }> {
  const child = spawn(process.execPath, [new URL('./fake-slack-process.js', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { ...(JSON.parse(line) as { url: string; token: string }), stop: () => child.kill('SIGTERM') };
}

/** Resident set size and its peak of a process, in MB, from /proc. */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
