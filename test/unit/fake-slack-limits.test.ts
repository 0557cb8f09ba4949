import { describe, expect, it } from '@jest/globals';
import { createWebApi } from '../../src/playground/slack/web-api.js';
import { SlackWorkspace } from '../../src/playground/slack/workspace.js';
import { PER_CHANNEL, slackLimit } from '../../src/slack/rate-limits.js';
import { SlackRateLimits } from '../support/fake-slack/limits.js';

describe("the fake Slack's rate limits, a model of Slack's documentation apart from the bot's pacer", () => {
  it('has a documented limit for every method the fake serves', () => {
    const api = createWebApi({
      workspace: new SlackWorkspace(),
      validation: { messageBlocks: () => [], modal: () => [] },
      baseUrl: () => 'http://fake.test',
    });
    expect(api.methods.filter((m) => !SlackRateLimits.limitOf(m))).toEqual([]);
  });

  it('finds the pacer never more permissive than Slack, method by method, so paced calls are not refused', () => {
    const looser = SlackRateLimits.documented().flatMap((method) => {
      const slack = SlackRateLimits.limitOf(method)!;
      const paced = slackLimit(method);
      return paced.perMinute > slack.perMinute || paced.burst > slack.burst ? [{ method, paced, slack }] : [];
    });
    expect(looser).toEqual([]);
    expect([...PER_CHANNEL]).toEqual(['chat.postMessage']);
  });

  it('limits per method per workspace, and chat.postMessage per channel', () => {
    const limits = new SlackRateLimits();
    const burst = SlackRateLimits.limitOf('conversations.create')!.burst;
    for (let n = 0; n < burst; n++) expect(limits.take('conversations.create', undefined)).toBe(0);
    expect(limits.take('conversations.create', undefined)).toBeGreaterThanOrEqual(1);
    expect(limits.take('conversations.create', undefined, 'T0OTHERTEAM')).toBe(0);
    expect(limits.take('pins.add', undefined)).toBe(0);
    for (let n = 0; n < 3; n++) expect(limits.take('chat.postMessage', 'C1')).toBe(0);
    expect(limits.take('chat.postMessage', 'C1')).toBe(1);
    expect(limits.take('chat.postMessage', 'C2')).toBe(0);
  });

  it('lets a method with no documented limit through, but names it, so a test can insist there is none', () => {
    const limits = new SlackRateLimits();
    expect(limits.take('admin.made.up', undefined)).toBe(0);
    expect([...limits.undocumented]).toEqual(['admin.made.up']);
  });
});
