import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A policy with clocks of a few seconds, so the timer tests run in real time. */
export const FAST_POLICY = `severities:
  P0:
    description: Complete outage
    warRoom: true
    updateEvery: 3s
    escalation:
      - { after: 1s, notify: [U0EM000001] }
      - { after: 2s, notify: [S0VPGROUP1] }
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 2s
    escalation:
      - { after: 2s, notify: [U0EM000001] }
      - { after: 4s, notify: [U0VP000001] }
  P2:
    description: Minor feature impact
    updateEvery: 2s
  P3:
    description: Cosmetic
    updateEvery: 1h
`;

/** Writes a policy to a temporary file and returns its path. */
export function policyFile(text = FAST_POLICY): string {
  const path = join(mkdtempSync(join(tmpdir(), 'firebreak-policy-')), 'policy.yaml');
  writeFileSync(path, text);
  return path;
}
