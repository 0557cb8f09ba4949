import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/log.js';
import { LogCapture } from '../support/log-capture.js';

describe('logs', () => {
  it('are JSON lines and never contain tokens or secrets', () => {
    const out = new LogCapture();
    const log = createLogger({ level: 'debug', secrets: ['xoxb-123-456-secretvalue', 'signing-secret-abc'] }, out);
    log.info(
      { token: 'xoxb-123-456-secretvalue', headers: { authorization: 'Bearer xoxb-123-456-secretvalue' } },
      'calling slack',
    );
    log.error({ err: new Error('auth failed for xoxb-123-456-secretvalue') }, 'boom');
    log.warn({ config: { signingSecret: 'signing-secret-abc' } }, 'config');
    log.flush();
    const lines = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(out.text).not.toContain('secretvalue');
    expect(out.text).not.toContain('signing-secret-abc');
    expect(lines[0]!.token).toBe('[Redacted]');
  });
});
