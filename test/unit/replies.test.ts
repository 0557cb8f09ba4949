import { describe, expect, it } from '@jest/globals';
import type { Outcome } from '../../src/incident/requests.js';
import { utcDateTime, utcTime } from '../../src/slack/dates.js';
import { replyForDeclared } from '../../src/slack/replies.js';
import { anIncident } from '../support/incident-fixture.js';

const outcome = (changes: Partial<Outcome> = {}): Outcome => ({
  incident: anIncident({ channelId: 'C0WARROOM' }),
  duplicate: false,
  failures: [],
  pending: false,
  ...changes,
});

describe('the reply to a declaration', () => {
  it('names the incident, its level, its title and its war room, from the command, the form or an alert group', () => {
    expect(replyForDeclared(outcome()).text).toBe(
      'Declared INC-2026-1122-001 (P1): Auth down. War room: <#C0WARROOM>.',
    );
    expect(replyForDeclared(outcome(), 'alert group').text).toBe(
      'Declared INC-2026-1122-001 (P1) from the alert group: Auth down. War room: <#C0WARROOM>.',
    );
  });

  it('says a repeated declaration recorded nothing new', () => {
    expect(replyForDeclared(outcome({ duplicate: true })).text).toContain('nothing new was recorded');
    expect(replyForDeclared(outcome({ duplicate: true }), 'alert group').text).toBe(
      'That alert group was already declared as INC-2026-1122-001; nothing new was declared.',
    );
  });
});

describe('dates written in Slack text', () => {
  const at = new Date('2026-11-22T14:05:09Z');
  it('are UTC, to the minute or the second', () => {
    expect([utcTime(at), utcTime(at, true), utcDateTime(at)]).toEqual([
      '14:05 UTC',
      '14:05:09 UTC',
      '2026-11-22 14:05 UTC',
    ]);
  });
});
