import { describe, expect, it } from '@jest/globals';
import type { AlertDigest, AlertGroup } from '../../src/alerts/alert-group.js';
import { DEFAULT_POLICY } from '../../src/incident/policy.js';
import { renderAlertCard, renderAlertDigest } from '../../src/slack/alert-blocks.js';
import { escapeExternal, externalLink } from '../../src/slack/external-text.js';
import { messageBlockProblems } from '../support/fake-slack/block-kit.js';

function group(extra: Partial<AlertGroup> = {}): AlertGroup {
  const alert = (n: number, status: 'firing' | 'resolved') => ({
    status,
    labels: { alertname: 'Api', pod: `api-${n}`, severity: 'critical' },
    annotations: { summary: `api-${n} answers 503` },
    startsAt: '2026-11-22T14:00:00Z',
    endsAt: null,
    generatorURL: 'https://prom.example/graph?g0.expr=up&g0.tab=1',
  });
  return {
    id: 7,
    groupKey: 'k',
    episode: 1,
    receiver: 'firebreak',
    status: 'firing',
    level: 'P1',
    title: 'Api',
    commonLabels: { alertname: 'Api', severity: 'critical' },
    alerts: Object.fromEntries(
      Array.from({ length: 14 }, (_, n) => [`fp${n}`, alert(n, n < 12 ? 'firing' : 'resolved')]),
    ),
    truncated: 3,
    externalUrl: null,
    firstSeen: new Date(),
    lastSeen: new Date(),
    incidentId: null,
    incidentResolved: false,
    declareWanted: false,
    placement: 'card',
    digestId: null,
    cardChannel: null,
    cardTs: null,
    version: 1,
    attempts: 0,
    unsure: false,
    ...extra,
  };
}

describe('text from outside', () => {
  it('is escaped and cut: no mention, no channel ping, no code span, no disguised link', () => {
    expect(escapeExternal('<!channel> & <@U1|x> `code`', 100)).toBe('&lt;!channel&gt; &amp; &lt;@U1|x&gt; ˋcodeˋ');
    expect(escapeExternal('a\u0000b\u0007c', 100)).toBe('abc');
    expect(escapeExternal('x'.repeat(500), 20)).toBe(`${'x'.repeat(19)}…`);
  });

  it('links only http(s) URLs, under our own label, with the characters that end or split a link encoded', () => {
    expect(externalLink('https://prom.example/g?a=1&b=2', 'source')).toBe(
      '<https://prom.example/g?a=1&amp;b=2|source>',
    );
    expect(externalLink('http://prom.example/g?x=a|b>c<d', 'source')).toBe(
      '<http://prom.example/g?x=a%7Cb%3Ec%3Cd|source>',
    );
    expect(externalLink('javascript:alert(1)', 'source')).toBeUndefined();
    expect(externalLink('not a url', 'source')).toBeUndefined();
    expect(externalLink(null, 'source')).toBeUndefined();
  });
});

describe('an alert card', () => {
  it('is valid Block Kit, shows ten alerts and counts the rest, and offers Declare while it fires without an incident', () => {
    const card = renderAlertCard(group(), DEFAULT_POLICY);
    expect(messageBlockProblems(card.blocks)).toEqual([]);
    expect(card.text).toBe('Alert (P1, 12 firing): Api');
    const json = JSON.stringify(card.blocks);
    expect(json).toContain('4 more alerts · 3 not sent by Alertmanager (max_alerts)');
    expect(json).toContain('"action_id":"alert_declare"');
    expect(json).toContain('<https://prom.example/graph?g0.expr=up&amp;g0.tab=1|source>');
    const tied = JSON.stringify(renderAlertCard(group({ incidentId: 'INC-2026-1122-001' }), DEFAULT_POLICY).blocks);
    expect(tied).toContain('Declared as *INC-2026-1122-001*');
    expect(tied).not.toContain('alert_declare');
    expect(JSON.stringify(renderAlertCard(group({ status: 'resolved' }), DEFAULT_POLICY).blocks)).not.toContain(
      'alert_declare',
    );
  });
});

describe('the storm digest', () => {
  it('is valid Block Kit for a storm of hundreds of groups, most severe first, with a picker for any of them', () => {
    const lines = Array.from({ length: 300 }, (_, n) => ({
      id: n + 1,
      title: `Node <@U0X> ${n}`,
      level: n < 10 ? 'P1' : 'P3',
      status: n === 0 ? ('resolved' as const) : ('firing' as const),
      firing: 1,
      incidentId: n === 2 ? 'INC-2026-1122-009' : null,
    }));
    const digest: AlertDigest = {
      id: 4,
      channel: null,
      ts: null,
      version: 3,
      attempts: 0,
      unsure: false,
      openedAt: new Date(),
      lines,
      total: 300,
      firing: 299,
    };
    const message = renderAlertDigest(digest, DEFAULT_POLICY);
    expect(messageBlockProblems(message.blocks)).toEqual([]);
    const json = JSON.stringify(message.blocks);
    expect(json).not.toContain('<@U0X>');
    expect(json).toContain('declared as *INC-2026-1122-009*');
    expect(json).toContain('270 more groups; the picker below finds any of them.');
    expect(json).toContain('"block_id":"alert_digest_4"');
    expect(json.indexOf('*P1* Node')).toBeGreaterThan(0);
    expect(json.indexOf('*P1* Node')).toBeLessThan(json.indexOf('*P3* Node'));
  });
});
