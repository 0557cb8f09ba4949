import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { ADMIN_URL, REDIS_URL, redisPrefix, runId } from './db.js';
import { waitFor } from './harness.js';
import { REPO } from './paths.js';
import { freePort, NODE_OPTIONS } from './processes.js';

/**
 * `npm start` as a new user runs it (`node dist/src/main.js` with no Slack settings), in a database and Redis
 * prefix of this run (dropped by `stop()`, else by global teardown). `env` adds or overrides variables.
 */
export async function startPlaygroundProcess(
  env: Record<string, string> = {},
  database = `fbt_${runId()}_pg${Math.random().toString(36).slice(2, 8)}`.toLowerCase(),
) {
  const port = await freePort();
  const prefix = redisPrefix();
  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [new URL('dist/src/main.js', REPO).pathname], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS,
      PORT: String(port),
      DATABASE_URL: ADMIN_URL,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      PLAYGROUND_DATABASE: database,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const text = () => output.join('');
  return {
    port,
    database,
    /** The Redis key prefix it was given. */
    prefix,
    output: text,
    exited,
    /** Waits for the one line that says the playground is up, and answers its URL. */
    async ready(ms = 30_000): Promise<string> {
      const line = await waitFor(
        () =>
          text()
            .split('\n')
            .find((l) => l.includes('"msg":"playground: open')) ?? (child.exitCode !== null ? 'exited' : ''),
        ms,
        'the playground to say it is up',
      );
      if (line === 'exited') throw new Error(`the playground exited:\n${text().slice(-3000)}`);
      return (JSON.parse(line) as { url: string }).url;
    },
    /** SIGTERM, then drops the database unless `keep` (for a second start on it). */
    async stop(keep = false): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      if (keep) return;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    },
  };
}
