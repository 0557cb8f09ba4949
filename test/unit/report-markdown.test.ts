import { describe, expect, it } from '@jest/globals';
import { type Node, Parser } from 'commonmark';
import { cell, listItem } from '../../src/incident/markdown.js';

/** The CommonMark reference parser: what any Markdown viewer makes of the text. */
const parse = (text: string) => new Parser().parse(text);

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let c = node.firstChild; c; c = c.next) out.push(c);
  return out;
}

const text = (node: Node): string => {
  const parts: string[] = [];
  const walker = node.walker();
  for (let e = walker.next(); e; e = walker.next())
    if (e.entering && (e.node.type === 'text' || e.node.type === 'code')) parts.push(e.node.literal ?? '');
    else if (e.entering && (e.node.type === 'softbreak' || e.node.type === 'linebreak')) parts.push('\n');
  return parts.join('');
};

describe('a multi-line entry in the report', () => {
  const messages = [
    'Pool stats at 14:05:\n- active 50\n- waiting 12\n\n# not a heading\n1. not a new list\n    four spaces in\n> quoted',
    'Line one\nline two\nline three',
    'Trailing blank lines\n\n\n',
    'Windows\r\nline ends',
  ];

  it('stays one list item, whatever its lines start with', () => {
    const doc = parse(messages.map((m, n) => listItem(`**14:0${n}** ola: ${m}`)).join('\n'));
    const top = children(doc);
    expect(top).toHaveLength(1);
    expect(top[0]!.type).toBe('list');
    expect(children(top[0]!)).toHaveLength(messages.length);
  });

  it('keeps its line breaks and words', () => {
    const doc = parse(listItem('**14:05** ola: Line one\nline two\nline three'));
    const item = children(children(doc)[0]!)[0]!;
    expect(text(item)).toBe('14:05 ola: Line one\nline two\nline three');
    const hard = [];
    const walker = item.walker();
    for (let e = walker.next(); e; e = walker.next()) if (e.entering && e.node.type === 'linebreak') hard.push(e);
    expect(hard).toHaveLength(2);
  });
});

describe('a table cell', () => {
  it('keeps a multi-line, piped follow-up in one row', () => {
    const table = [
      '| # | Action |',
      '|---|---|',
      `| 1 | ${cell('Fix a | b\nthen c')} |`,
      `| 2 | ${cell('next')} |`,
    ].join('\n');
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| 1 | Fix a \\| b<br>then c |');
  });
});
