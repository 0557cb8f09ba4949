/** Small pure helpers for the Markdown of post-incident reports. */

/** `2026-11-22 14:05 UTC`. */
export const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * A bullet list item whose text may span lines. Continuation lines are
 * indented to the item's content column, so whatever they start with (a dash,
 * a `#`, a number) stays inside this one item; each line ends in a hard break
 * so the message keeps its line breaks.
 */
export function listItem(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n');
  return lines
    .map((line, n) => {
      const body = line.trimEnd();
      const indented = n === 0 || !body ? body : `  ${body}`;
      const next = lines[n + 1]?.trim();
      return next ? `${indented}  ` : indented;
    })
    .map((line, n) => (n === 0 ? `- ${line}` : line))
    .join('\n');
}

/** Text for one table cell: a pipe or a line break would end the cell or the row. */
export function cell(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim().replace(/\|/g, '\\|').replace(/\n+/g, '<br>');
}
