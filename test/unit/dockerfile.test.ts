import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { buildContext, copiesOf, execForm, readDockerfile } from '../support/dockerfile.js';
import { REPO } from '../support/paths.js';

/** No Docker engine here: the Dockerfile and .dockerignore are read as the builder reads them. */

const stages = readDockerfile();
const runtime = stages.at(-1)!;
const stageNamed = (name: string | undefined) => stages.find((s) => s.name === name);
const runs = (stage: { instructions: readonly { keyword: string; args: string }[] }) =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', REPO), 'utf8')) as {
  packages: Record<string, { version: string }>;
};

describe('the Dockerfile', () => {
  it('pins every base image, on the Node release the tests run on', () => {
    const node = lock.packages['node_modules/node']!.version;
    for (const { image } of stages) {
      const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:\d+\.\d+\.\d+(-[\w.-]+)?$/.test(image);
      expect({ image, pinned }).toEqual({ image, pinned: true });
      expect({ image, node: image.split('@')[0]!.startsWith(`node:${node}-`) }).toEqual({ image, node: true });
    }
  });

  it('is multi-stage: compiles with npm ci and the build script, and installs production dependencies from the lock', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const all = stages.flatMap(runs).join('\n');
    expect(all).not.toMatch(/npm (install|i)\b/);
    const build = stages.find((s) => runs(s).some((r) => r === 'npm run build'))!;
    expect(runs(build)).toContain('npm ci --no-audit --no-fund');
    const buildScript = (
      JSON.parse(readFileSync(new URL('package.json', REPO), 'utf8')) as { scripts: { build: string } }
    ).scripts.build;
    expect(buildScript).toMatch(/^tsc -p tsconfig\.build\.json/);
    const buildConfig = JSON.parse(readFileSync(new URL('tsconfig.build.json', REPO), 'utf8')) as { include: string[] };
    expect(buildConfig.include).toEqual(['src']);
    const nodeModules = copiesOf(runtime).find((c) => c.sources.includes('/app/node_modules'))!;
    expect(runs(stageNamed(nodeModules.from)!)).toContain('npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
  });

  it('ships only the compiled src, the migrations in it, the playbooks, package.json and the heap settings', () => {
    const shipped = copiesOf(runtime).map((c) => `${c.from ?? 'context'}:${c.sources.join(',')}`);
    expect(shipped.sort()).toEqual(
      [
        'context:package.json',
        'context:playbooks',
        'build:/app/dist/src',
        'build:/app/node-options.env',
        'production-dependencies:/app/node_modules',
      ].sort(),
    );
    expect(readFileSync(new URL('package.json', REPO), 'utf8')).toContain('cp -r src/postgres/migrations dist/src/');
    for (const stage of stages)
      for (const copy of copiesOf(stage))
        for (const source of copy.sources)
          expect({ source, dev: /(^|\/)(test|bench|\.env[^/]*)(\/|$)|^\.$/.test(source) }).toEqual({
            source,
            dev: false,
          });
  });

  it('runs as a numeric non-root user, with tini as PID 1 and node directly as the command', () => {
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(execForm(runtime, 'ENTRYPOINT')).toEqual(['/usr/bin/tini', '--']);
    expect(runs(runtime).join('\n')).toMatch(/apt-get install -y --no-install-recommends tini=\d[\w.+~-]*/);
    const cmd = execForm(runtime, 'CMD')!;
    expect(cmd[0]).toBe('node');
    expect(cmd.at(-1)).toBe('dist/src/main.js');
    expect(cmd.join(' ')).not.toMatch(/\b(npm|sh|bash)\b/);
  });

  it('never starts the playground: the runtime stage sets FIREBREAK_PLAYGROUND=off, so no Slack settings is a boot error', () => {
    const env = runtime.instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
    expect(env.join(' ')).toMatch(/(^|\s)FIREBREAK_PLAYGROUND=off(\s|$)/);
  });

  it('copies no secrets and bakes none into its settings', () => {
    for (const stage of stages)
      for (const i of stage.instructions.filter((x) => x.keyword === 'ENV' || x.keyword === 'ARG'))
        expect({ line: i.args, secret: /TOKEN|SECRET|PASSWORD|_KEY|DATABASE_URL|REDIS_URL/i.test(i.args) }).toEqual({
          line: i.args,
          secret: false,
        });
  });

  it('gives the heap settings of package.json to node through the env file it generates', () => {
    const cmd = execForm(runtime, 'CMD')!;
    const envFile = cmd.find((a) => a.startsWith('--env-file='))!.slice('--env-file='.length);
    expect(envFile).toBe('/app/node-options.env');
    const generate = stages.flatMap(runs).find((r) => r.endsWith('> node-options.env'))!;
    expect(generate).toContain(`require('./package.json').config.node_options`);
  });
});

describe('.dockerignore', () => {
  const sent = buildContext();
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO.pathname,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  const fromContext = stages.flatMap(copiesOf).filter((c) => !c.from);

  it('sends the builder every file the Dockerfile copies from the context', () => {
    for (const { sources } of fromContext)
      for (const source of sources) {
        const under = files.filter((f) => f === source || f.startsWith(`${source}/`));
        expect({ source, found: under.length > 0 }).toEqual({ source, found: true });
        for (const file of under) expect({ file, sent: sent(file) }).toEqual({ file, sent: true });
      }
  });

  it('sends nothing else: no .env, secrets, node_modules, dist, tests, benches or manifests', () => {
    const copied = (f: string) =>
      fromContext.some(({ sources }) => sources.some((s) => f === s || f.startsWith(`${s}/`)));
    for (const file of files.filter((f) => !copied(f)))
      expect({ file, sent: sent(file) }).toEqual({ file, sent: false });
    for (const file of [
      '.env',
      '.env.production',
      'src/.env',
      'playbooks/.env.local',
      'src/tls.key',
      'deploy.pem',
      'node_modules/pg/package.json',
      'src/node_modules/x.js',
      'dist/src/main.js',
      'dist/test/unit/config.test.js',
      'test/unit/config.test.ts',
      'src/config.test.ts',
      'bench/run.ts',
      'manifests/app/secret.example.yaml',
      '.git/config',
    ])
      expect({ file, sent: sent(file) }).toEqual({ file, sent: false });
  });
});
