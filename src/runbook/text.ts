/**
 * Text that came from the cluster (events, log lines, object names, API messages), kept as plain
 * text: control characters and line breaks become spaces and it is clamped to `max` characters.
 * Escaping for a particular chat happens where it is rendered.
 */
export function untrusted(text: string, max = 300): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
  const flat = String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
