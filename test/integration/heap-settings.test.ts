import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { execForm, readDockerfile } from '../support/dockerfile.js';
import { REPO } from '../support/paths.js';
import { NODE_OPTIONS } from '../support/processes.js';

const read = (file: string) => readFileSync(new URL(file, REPO), 'utf8');
const pkg = JSON.parse(read('package.json')) as { config: { node_options: string }; scripts: Record<string, string> };

describe('the V8 heap settings', () => {
  it('have one home, package.json config.node_options, that npm start, the image and the tests use', () => {
    expect(pkg.config.node_options).toMatch(/--max-old-space-size=\d+/);
    expect(pkg.config.node_options).toMatch(/--max-semi-space-size=\d+/);
    expect(pkg.scripts.start).toContain('NODE_OPTIONS="$npm_package_config_node_options');
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toContain(`require('./package.json').config.node_options`);
    expect(dockerfile).toContain('"--env-file=/app/node-options.env"');
    expect(NODE_OPTIONS).toBe(pkg.config.node_options);
    const places: [string, string][] = [
      ['package.json scripts', JSON.stringify(pkg.scripts)],
      ['Dockerfile', dockerfile],
    ];
    for (const [name, text] of places)
      expect({ name, flags: text.match(/--max-[a-z-]+-size=\d+/g) }).toEqual({ name, flags: null });
  });

  it('take effect as NODE_OPTIONS: the young generation is capped, not sized from the machine', () => {
    const limit = (options: string) =>
      Number(
        execFileSync(process.execPath, ['-p', 'require("v8").getHeapStatistics().heap_size_limit / 2 ** 20'], {
          env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: options },
        }),
      );
    const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(NODE_OPTIONS)![1]);
    const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(NODE_OPTIONS)![1]);
    // V8's heap limit is the old space plus a young generation of three semi-spaces.
    expect(limit(NODE_OPTIONS)).toBe(oldSpace + 3 * semiSpace);
    expect(limit(`--max-old-space-size=${oldSpace}`)).toBeGreaterThan(oldSpace + 3 * semiSpace);
  });

  it('take effect in the image: the env file its build writes, given to node as its CMD gives it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'firebreak-heap-'));
    try {
      copyFileSync(new URL('package.json', REPO), join(dir, 'package.json'));
      const generate = readDockerfile()
        .flatMap((s) => s.instructions)
        .find((i) => i.keyword === 'RUN' && i.args.endsWith('> node-options.env'))!.args;
      const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
      execFileSync('sh', ['-c', generate], { cwd: dir, env });
      const flags = execForm(readDockerfile().at(-1)!, 'CMD')!
        .slice(1, -1)
        .map((a) => a.replace('/app/', `${dir}/`));
      const limit = Number(
        execFileSync(
          process.execPath,
          [...flags, '-p', 'require("v8").getHeapStatistics().heap_size_limit / 2 ** 20'],
          {
            env,
          },
        ),
      );
      const oldSpace = Number(/--max-old-space-size=(\d+)/.exec(NODE_OPTIONS)![1]);
      const semiSpace = Number(/--max-semi-space-size=(\d+)/.exec(NODE_OPTIONS)![1]);
      expect(limit).toBe(oldSpace + 3 * semiSpace);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
