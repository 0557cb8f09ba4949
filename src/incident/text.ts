/** Control characters other than tab and line breaks (C0, DEL, C1): Postgres refuses NUL, and none belong in a message. */
function isControl(code: number): boolean {
  if (code === 0x09 || code === 0x0a || code === 0x0d) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Why `text` cannot be stored as typed, in words for the person who typed it
 * (a control character such as NUL, or half of a broken emoji); undefined
 * when it is fine.
 */
export function unstorableText(text: string): string | undefined {
  const hit = [...text].find((c) => isControl(c.charCodeAt(0)));
  if (hit) {
    const code = hit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `contains a control character (U+${code}) that cannot be stored; retype it without it (pasting from a terminal can bring these along)`;
  }
  if (!text.isWellFormed()) return 'contains a broken character (half of an emoji or symbol); retype it';
  return undefined;
}

/** `text` without control characters (tab and line breaks kept): for text from outside, which may carry them. */
export function withoutControl(text: string): string {
  return [...text].filter((c) => !isControl(c.charCodeAt(0))).join('');
}
