import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, REDIS_URL, redisPrefix } from '../support/db.js';
import { copiesOf, execForm, readDockerfile, type Stage } from '../support/dockerfile.js';
import { FakeSlack } from '../support/fake-slack/server.js';
import { replyOn, sendCommand } from '../support/harness.js';
import { REPO } from '../support/paths.js';
import { BotProcess, slackEnv } from '../support/processes.js';

/**
 * SLOW (about 15-40 s, most of it `npm ci --omit=dev`): there is no Docker engine here, so this builds the
 * runtime image's file layout into a temporary folder, stage by stage as the Dockerfile says, and starts the
 * bot from it with the image's command. If the production dependency set missed a package the bot needs,
 * the bot would not start. Nothing is kept outside the temporary folder, which is removed after.
 */

const stages = readDockerfile();
const runtime = stages.at(-1)!;
const stage = (name: string | undefined) => stages.find((s) => s.name === name)!;
const runsOf = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', REPO), 'utf8')) as {
  packages: Record<string, { dev?: boolean; optional?: boolean }>;
};
/** Node 24 (the `node` devDependency, as in the base image) first on the PATH. */
const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
const sh = (command: string, cwd: string) =>
  execFileSync('sh', ['-c', command], { cwd, env: { ...process.env, PATH }, stdio: 'pipe', timeout: 180_000 });

let root: string;
let slack: FakeSlack;
let db: Awaited<ReturnType<typeof createTestDatabase>>;

/** Where `/app/...` of a build stage comes from here: that stage's work, done in a scratch folder. */
function fromStage(name: string, path: string, scratch: string): string {
  const work = join(scratch, name);
  if (!existsSync(work)) {
    mkdirSync(work, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(new URL(f, REPO), join(work, f));
    if (name === 'build') {
      // The compiled src comes from this repository's `npm run build` (run by `npm test`), the same script.
      cpSync(new URL('dist/src', REPO), join(work, 'dist/src'), { recursive: true });
      const generate = runsOf(stage(name)).find((r) => r.endsWith('> node-options.env'))!;
      sh(generate, work);
    } else {
      // --prefer-offline: the packages come from npm's cache when this machine's `npm ci` already fetched them.
      for (const command of runsOf(stage(name))) sh(`${command} --prefer-offline`, work);
    }
  }
  return join(work, path.replace(/^\/app\//, ''));
}

beforeAll(async () => {
  expect(existsSync(new URL('dist/src/main.js', REPO))).toBe(true);
  root = mkdtempSync(join(tmpdir(), 'firebreak-image-'));
  const app = join(root, 'app');
  const scratch = join(root, 'stages');
  mkdirSync(app);
  for (const copy of copiesOf(runtime))
    for (const source of copy.sources) {
      const from = copy.from ? fromStage(copy.from, source, scratch) : new URL(source, REPO).pathname;
      const to = copy.dest.endsWith('/') ? join(app, copy.dest, basename(source)) : join(app, copy.dest);
      if (copy.from === 'production-dependencies') renameSync(from, to);
      else cpSync(from, to, { recursive: true });
    }
  rmSync(scratch, { recursive: true, force: true });
  slack = await new FakeSlack().start();
  db = await createTestDatabase();
}, 180_000);

afterAll(async () => {
  await slack?.stop();
  await db?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const list = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? list(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name],
  );

describe('the runtime image layout', () => {
  it('holds the compiled src with its migrations, the playbooks and production dependencies only', () => {
    const app = join(root, 'app');
    expect(readdirSync(app).sort()).toEqual(['dist', 'node-options.env', 'node_modules', 'package.json', 'playbooks']);
    expect(readdirSync(join(app, 'dist'))).toEqual(['src']);
    const compiled = list(join(app, 'dist/src'));
    expect(compiled).toContain('main.js');
    expect(compiled.filter((f) => f.startsWith('postgres/migrations/') && f.endsWith('.sql')).length).toBeGreaterThan(
      0,
    );
    expect(compiled.filter((f) => /\.test\.|(^|\/)(test|bench)\//.test(f))).toEqual([]);
    // Exactly the lock's production set: every package it marks dev is absent, every other one is there
    // (optional ones only where this platform takes them).
    const installed = (path: string) => existsSync(join(app, path, 'package.json'));
    for (const [path, entry] of Object.entries(lock.packages).filter(([p]) => p.startsWith('node_modules/'))) {
      if (entry.dev) expect({ path, installed: installed(path) }).toEqual({ path, installed: false });
      else if (!entry.optional) expect({ path, installed: installed(path) }).toEqual({ path, installed: true });
    }
    for (const name of ['jest', 'typescript', '@biomejs/biome', 'kubernetes-models', 'node'])
      expect({ name, installed: installed(`node_modules/${name}`) }).toEqual({ name, installed: false });
  });

  it('starts with the image command: ready, loads the playbooks, answers a signed command and stops on SIGTERM', async () => {
    const app = join(root, 'app');
    const env: Record<string, string> = {};
    for (const i of runtime.instructions.filter((x) => x.keyword === 'ENV')) {
      const [name, value] = i.args.split('=');
      env[name!] = value!;
    }
    const cmd = execForm(runtime, 'CMD')!;
    expect(cmd[0]).toBe('node');
    const bot = new BotProcess(
      {
        ...env,
        ...slackEnv(slack.token, slack.apiUrl),
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_PREFIX: redisPrefix(),
        LOG_LEVEL: 'warn',
      },
      undefined,
      { cwd: app, args: cmd.slice(1).map((a) => a.replaceAll('/app/', `${app}/`)) },
    );
    await bot.start();
    try {
      const declared = await replyOn(
        slack,
        (await sendCommand(bot.url, slack, 'declare P2 From the image')).responseUrl,
      );
      expect(declared).toContain('Declared *INC-');
      const playbooks = await replyOn(slack, (await sendCommand(bot.url, slack, 'playbooks')).responseUrl);
      for (const file of readdirSync(new URL('playbooks', REPO)).filter((f) => f.endsWith('.yaml')))
        expect(playbooks).toContain(basename(file, '.yaml'));
      bot.signal('SIGTERM');
      expect(await bot.exited).toEqual({ code: 0, signal: null });
    } finally {
      await bot.stop('SIGKILL');
    }
  }, 60_000);
});
