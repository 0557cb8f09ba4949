import { describe, expect, it } from '@jest/globals';
import { messageBlockProblems, modalProblems } from '../support/fake-slack/block-kit.js';

describe('the Block Kit oracle used by the fake Slack', () => {
  it('accepts a valid section and rejects what Slack rejects', () => {
    expect(messageBlockProblems([{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }])).toEqual([]);
    expect(messageBlockProblems([{ type: 'section', text: { type: 'mrkdwn', text: '' } }])).not.toEqual([]);
    expect(
      messageBlockProblems([{ type: 'header', text: { type: 'mrkdwn', text: 'headers are plain text' } }]),
    ).not.toEqual([]);
    expect(messageBlockProblems([])).not.toEqual([]);
  });

  it('enforces the rules the schema leaves out', () => {
    const many = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    expect(messageBlockProblems(many)).toContain('51 blocks; at most 50 are allowed');
    const dup = [
      {
        type: 'actions',
        block_id: 'a',
        elements: [
          { type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'A' } },
          { type: 'button', action_id: 'x', text: { type: 'plain_text', text: 'B' } },
        ],
      },
      { type: 'divider', block_id: 'a' },
    ];
    expect(messageBlockProblems(dup)).toEqual(
      expect.arrayContaining(['duplicate action_id x', 'duplicate block_id a']),
    );
  });

  it('validates modals against modal_view', () => {
    expect(
      modalProblems({ type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [{ type: 'divider' }] }),
    ).toEqual([]);
    expect(
      modalProblems({
        type: 'modal',
        title: { type: 'plain_text', text: 'x'.repeat(30) },
        blocks: [{ type: 'divider' }],
      }),
    ).not.toEqual([]);
  });
});
