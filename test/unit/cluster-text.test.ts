import { describe, expect, it } from '@jest/globals';
import { toClusterFailure } from '../../src/kube/errors.js';
import { untrusted } from '../../src/runbook/text.js';
import { renderTimeline } from '../../src/slack/record-blocks.js';
import { escCluster, readButtonValue } from '../../src/slack/runbook-blocks.js';

const HOSTILE = 'Readiness probe failed: ```\n<!channel> see <https://evil.example/x|docs> & `rm -rf` \u0007';

describe('text from the cluster is data', () => {
  it('is kept as one plain line, clamped', () => {
    expect(untrusted(HOSTILE)).not.toContain('\n');
    expect(untrusted(HOSTILE)).not.toContain(String.fromCharCode(7));
    expect(untrusted('x'.repeat(500), 300)).toHaveLength(300);
  });

  it('is escaped for Slack: no mention, no link, no closing fence', () => {
    const shown = escCluster(untrusted(HOSTILE));
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://');
    expect(shown).not.toContain('`');
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).toContain('&amp;');
  });

  it('an upstream error body that is not a Kubernetes Status is summarised, never echoed', () => {
    const page = '<html><body><h1>502 Bad Gateway</h1><pre>Authorization: Bearer sekrit-token-123</pre></body></html>';
    const err = Object.assign(new Error(`HTTP-Code: 502\nMessage: Unknown API Status Code!\nBody: ${page}`), {
      code: 502,
      body: page,
    });
    const failure = toClusterFailure(err, 'reading deployment shop/web');
    expect(failure.message).toBe(
      'The Kubernetes API could not be reached while reading deployment shop/web (the API server answered 502 Bad Gateway). Nothing was applied; try again when the API server answers.',
    );
    expect(failure.message).not.toContain('sekrit');
  });

  it('a Kubernetes Status gives its message, made plain', () => {
    const status = JSON.stringify({ kind: 'Status', code: 404, message: 'deployments.apps "web\n<!here>" not found' });
    expect(toClusterFailure({ code: 404, body: status }, 'reading deployment shop/web').message).toBe(
      'Not found while reading deployment shop/web: deployments.apps "web <!here>" not found. Check the namespace and name.',
    );
  });
});

describe('the timeline', () => {
  it('shows runbook entries, which quote the cluster, as data', () => {
    const at = new Date('2026-11-22T15:00:00Z');
    const page = renderTimeline({
      incident: { id: 'INC-2026-1122-001' } as never,
      entries: [
        { id: 1, at, actor: 'firebreak', kind: 'runbook_succeeded', text: `RUN-0A1B2C3D check: ${untrusted(HOSTILE)}` },
        { id: 2, at, actor: 'firebreak', kind: 'war_room', text: 'War room <#C0WARROOM01> opened' },
      ].map((e) => ({ ...e, permalink: null, threadTs: null, editedAt: null, deletedAt: null })),
      page: 1,
      pages: 1,
      hasPrevious: false,
      hasNext: false,
      tzOffsetS: 0,
    });
    const text = JSON.stringify(page.blocks);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('<#C0WARROOM01>');
  });
});

describe('approval buttons', () => {
  it('carry the run and its preview token, and nothing else is accepted', () => {
    expect(readButtonValue('RUN-0A1B2C3D.9f8e7d6c5b4a')).toEqual({ runId: 'RUN-0A1B2C3D', token: '9f8e7d6c5b4a' });
    expect(readButtonValue('RUN-0A1B2C3D')).toBeUndefined();
    expect(readButtonValue('RUN-0A1B2C3D.x; drop')).toBeUndefined();
  });
});
