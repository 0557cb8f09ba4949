import { describe, expect, it } from '@jest/globals';
// @ts-expect-error the page's scripts are plain JavaScript modules, served as they are
import { mrkdwn } from '../../src/playground/public/mrkdwn.js';

const names = {
  user: (id: string) => ({ U1: 'dana' })[id] ?? id,
  channel: (id: string) => ({ C1: 'incidents' })[id] ?? id,
};
const render = (text: string): string => mrkdwn(text, names);

describe("the playground page's mrkdwn", () => {
  it('shows mentions and channels by name, and formatting as Slack does', () => {
    expect(render('IC <@U1> in <#C1>')).toBe(
      'IC <span class="mention">@dana</span> in <span class="mention channel" data-channel="C1">#incidents</span>',
    );
    expect(render('*Step 2: `rollout-undo` on `api`*')).toBe(
      '<b>Step 2: <code>rollout-undo</code> on <code>api</code></b>',
    );
    expect(render('_slow_ and ~gone~')).toBe('<i>slow</i> and <s>gone</s>');
    expect(render('<https://example.com/x?a=1&amp;b=2|the runbook>')).toBe(
      '<a href="https://example.com/x?a=1&amp;b=2" target="_blank" rel="noreferrer">the runbook</a>',
    );
  });

  it('shows what people typed as text, never as markup or a script link', () => {
    expect(render('&lt;img src=x onerror=alert(1)&gt;')).toBe('&lt;img src=x onerror=alert(1)&gt;');
    expect(render('<javascript:alert(1)|click me>')).toBe('click me');
    expect(render('`<b>not bold</b>`')).toBe('<code>&lt;b&gt;not bold&lt;/b&gt;</code>');
    expect(render('"quoted" & \'single\'')).toBe('&quot;quoted&quot; &amp; &#39;single&#39;');
  });
});
