import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { REPO } from '../support/paths.js';

/** Runs a small ES module that installs the process guards from the build, as main() does; returns how it ended. */
function run(body: string): Promise<{ code: number | null; output: string }> {
  const guards = new URL('dist/src/process-guards.js', REPO).href;
  const log = new URL('dist/src/log.js', REPO).href;
  const script = `
    import { installProcessGuards } from '${guards}';
    import { createLogger } from '${log}';
    const log = createLogger({ level: 'info' }, process.stdout);
    installProcessGuards(log, async () => { process.stdout.write('stopped gracefully\\n'); });
    ${body}
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the process-level safety net', () => {
  it('logs an unhandled rejection and keeps serving', async () => {
    const { code, output } = await run(`
      Promise.reject(new Error('a listener forgot to await'));
      setTimeout(() => { process.stdout.write('still serving\\n'); process.exit(0); }, 200);
    `);
    expect(code).toBe(0);
    expect(output).toContain('unhandled promise rejection; the process keeps serving');
    expect(output).toContain('a listener forgot to await');
    expect(output).toContain('still serving');
  });

  it('logs an uncaught exception, stops gracefully and exits 70 for the supervisor', async () => {
    const { code, output } = await run(`
      setTimeout(() => { throw new Error('state may be half-changed'); }, 10);
      setInterval(() => undefined, 1000);
    `);
    expect(code).toBe(70);
    expect(output).toContain('uncaught exception; exiting so the supervisor starts a clean process');
    expect(output).toContain('state may be half-changed');
    expect(output).toContain('stopped gracefully');
  });
});
