import { describe, expect, it } from '@jest/globals';
import { parseCommand } from '../../src/incident/command.js';
import { parsePolicy } from '../../src/incident/policy.js';
import { parsePlaybook } from '../../src/runbook/playbook.js';
import { mentionedUser } from '../../src/slack/mentions.js';
import { SourceError } from '../../src/yaml-source.js';

const policy = (updateEvery: string) => `severities:
  P1:
    description: Major feature unavailable
    updateEvery: ${updateEvery}
`;

const playbook = (cooldown: string, timeout = '5m') => `id: test-book
title: Test
description: A test playbook
severities: [P1]
namespaces: [shop]
cooldown: ${cooldown}
params:
  deployment: { type: enum, values: [web] }
steps:
  - action: rollout-status
    namespace: shop
    deployment: "{{deployment}}"
    timeout: ${timeout}
`;

const problems = (parse: () => unknown): string => {
  try {
    parse();
  } catch (err) {
    if (err instanceof SourceError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('accepted');
};

describe('one duration grammar for the policy, playbooks and commands', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
  ])('reads %s as the same length of time everywhere', (text, ms) => {
    expect(parsePolicy(policy(text), 'policy.yaml').severities[0]!.updateEveryMs).toBe(ms);
    expect(parsePlaybook(playbook(text), 'book.yaml').cooldownMs).toBe(ms);
    expect(parseCommand(`snooze ${text}`, ['P1'], mentionedUser)).toMatchObject({ verb: 'snooze', ms });
  });

  it('refuses what is not a duration in each file, saying how to write one', () => {
    expect(problems(() => parsePolicy(policy('soon'), 'policy.yaml'))).toContain(
      'severities.P1.updateEvery: is not a duration; write it like 30s, 15m or 1h',
    );
    expect(problems(() => parsePlaybook(playbook('0s'), 'book.yaml'))).toContain(
      'cooldown: must be a duration such as 30s, 5m or 1h',
    );
    expect(problems(() => parsePlaybook(playbook('10m', 'forever'), 'book.yaml'))).toContain(
      'timeout: must be a duration such as 5m',
    );
  });
});
