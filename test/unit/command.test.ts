import { describe, expect, it } from '@jest/globals';
import { UserError } from '../../src/errors.js';
import { parseCommand } from '../../src/incident/command.js';
import { mentionedUser } from '../../src/slack/mentions.js';

const levels = ['P0', 'P1', 'P2', 'P3'];
const parse = (t: string) => parseCommand(t, levels, mentionedUser);
const problem = (t: string) => {
  try {
    parse(t);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error(`"${t}" parsed`);
};

describe('parseCommand', () => {
  it('reads declare inline, with --drill, and alone as the modal form', () => {
    expect(parse('declare p1 Auth service down')).toEqual({
      verb: 'declare',
      form: 'inline',
      severity: 'P1',
      title: 'Auth service down',
      drill: false,
    });
    expect(parse('declare P1 --drill Game day')).toMatchObject({ drill: true, title: 'Game day' });
    expect(parse('declare')).toEqual({ verb: 'declare', form: 'modal' });
  });

  it('takes an incident ID after the verb, or none in a war room', () => {
    expect(parse('status INC-2026-1122-001 monitoring all green')).toEqual({
      verb: 'status',
      id: 'INC-2026-1122-001',
      status: 'monitoring',
      text: 'all green',
    });
    expect(parse('status monitoring')).toEqual({ verb: 'status', status: 'monitoring' });
    expect(parse('resolve inc-2026-1122-014')).toEqual({ verb: 'resolve', id: 'INC-2026-1122-014' });
  });

  it('splits an update into progress, next steps and ETA', () => {
    expect(parse('update rolled back; next: watch errors eta: 30m')).toEqual({
      verb: 'update',
      progress: 'rolled back',
      nextSteps: 'watch errors',
      eta: '30m',
    });
    expect(parse('update just progress')).toEqual({ verb: 'update', progress: 'just progress' });
  });

  it('reads a linked user for a role', () => {
    expect(parse('role IC <@U0ABC|alex>')).toEqual({ verb: 'role', role: 'ic', userId: 'U0ABC' });
  });

  it('uses the policy’s own levels', () => {
    expect(parseCommand('declare P4 Typo', ['P1', 'P2', 'P3', 'P4'], mentionedUser)).toMatchObject({ severity: 'P4' });
    expect(problem('declare P4 Typo')).toContain('Use one of P0, P1, P2, P3');
  });

  it('explains each mistake and shows what to type', () => {
    for (const [text, says] of [
      ['frobnicate', 'is not a command I know'],
      ['declare P1', 'Give the incident a title'],
      [`declare P1 ${'y'.repeat(151)}`, 'keep it under 150'],
      ['severity P7', 'is not a severity'],
      ['role boss <@U1>', 'is not a role'],
      ['update', 'Say what has happened'],
    ]) {
      const message = problem(text!);
      expect(message).toContain(says!);
      expect(message).toContain('*Usage*');
    }
  });

  it('refuses a parameter given twice, and names every object already has, saying what to do', () => {
    expect(problem('run restart-service deployment=a deployment=b')).toContain(
      '`deployment` is given twice; give each parameter once',
    );
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(problem(`run restart-service ${key}=x`)).toContain(`\`${key}\` cannot be a parameter name`);
    const run = parse('run scale-service deployment=web replicas=5');
    expect(run).toMatchObject({ verb: 'run', playbook: 'scale-service', args: { deployment: 'web', replicas: '5' } });
    expect(Object.getPrototypeOf((run as { args: object }).args)).toBeNull();
  });

  it('refuses NUL and other control characters with a usage message, and takes tabs and new lines as spaces', () => {
    for (const [text, code] of [
      ['note saw \u0000 in the logs', 'U+0000'],
      ['declare P1 Auth\u0007 down', 'U+0007'],
      ['update rolled back\u001b[31m', 'U+001B'],
      ['note \u0085', 'U+0085'],
    ]) {
      const message = problem(text!);
      expect(message).toContain(`control character (${code})`);
      expect(message).toContain('*Usage*');
    }
    expect(problem('note half an emoji \ud83d')).toContain('broken character');
    expect(parse('note line one\nline two\twith a tab')).toMatchObject({
      verb: 'note',
      text: 'line one line two with a tab',
    });
  });
});
