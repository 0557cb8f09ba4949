/**
 * The scripted P1 (issue 13): Slack calls and mention notifications of this build beside the
 * build this work started from, both run in this run against the same fake Slack script. The
 * earlier build is compiled from git (`git archive` of `BEFORE`) with the project's tsc.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { startFirebreak } from '../src/main.js';
import { LogCapture } from '../test/support/harness.js';
import { type BootBot, pingReason, scriptedP1 } from '../test/support/scripted-p1.js';
import { allPings, attentionFigures, posts } from '../test/support/slack-attention.js';

/** The commit issue 13's work started from (main when the branch was made). */
export const BEFORE = '904a519a07935b7ad67905b29e9181331f3236e3';

type Build = {
  loadConfig(env: Record<string, string>): unknown;
  startFirebreak(config: unknown, options: Record<string, unknown>): Promise<{ url: string; stop(): Promise<unknown> }>;
};

/** Compiles `BEFORE`'s src/ into a temporary directory, with this checkout's node_modules and tsc. */
function buildBefore(): { dir: string; entry: string } {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-before-'));
  const archive = execFileSync('git', [
    '-C',
    root,
    'archive',
    BEFORE,
    'src',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ]);
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'inherit' });
  cpSync(join(dir, 'src/postgres/migrations'), join(dir, 'dist/src/postgres/migrations'), { recursive: true });
  const entry = join(dir, 'dist/src');
  if (!existsSync(join(entry, 'main.js'))) throw new Error(`no build of ${BEFORE} in ${dir}`);
  return { dir, entry };
}

const bootWith =
  (build: Build): BootBot =>
  async (env) =>
    build.startFirebreak(build.loadConfig(env), { logDestination: new LogCapture(), backoffMs: () => 200 });

async function figures(boot: BootBot) {
  const run = await scriptedP1(boot);
  const f = attentionFigures(run.slack);
  const unwanted = allPings(run.slack).filter((p) => pingReason(p, run.incidentId).startsWith('unwanted')).length;
  const dms = posts(run.slack).filter((p) => p.dm).length;
  return { ...f, unwanted, dms };
}

export async function attentionBench(): Promise<string[]> {
  const before = buildBefore();
  try {
    const old = {
      loadConfig: (await import(join(before.entry, 'config.js'))).loadConfig,
      startFirebreak: (await import(join(before.entry, 'main.js'))).startFirebreak,
    } as Build;
    const was = await figures(bootWith(old));
    const now = await figures(bootWith({ loadConfig, startFirebreak } as unknown as Build));
    const row = (label: string, a: number, b: number) =>
      `${label.padEnd(34)} ${String(a).padStart(6)} ${String(b).padStart(6)}`;
    return [
      `scripted P1 (declare, lead, 2 reminders, 2 escalation steps, ack, 2 updates, rollback with approval, resolve, postmortem); before = ${BEFORE.slice(0, 7)}`,
      `${''.padEnd(34)} ${'before'.padStart(6)} ${'after'.padStart(6)}`,
      row('Slack Web API calls', was.calls, now.calls),
      row('  new posts (chat.postMessage)', was.posts, now.posts),
      row('  edits (chat.update)', was.edits, now.edits),
      row('  topic changes', was.topics, now.topics),
      row('  users.info (names)', was.byMethod['users.info'] ?? 0, now.byMethod['users.info'] ?? 0),
      row('direct messages', was.dms, now.dms),
      row('mention notifications', was.pings, now.pings),
      row('  of which nobody had to act on', was.unwanted, now.unwanted),
    ];
  } finally {
    rmSync(before.dir, { recursive: true, force: true });
  }
}
