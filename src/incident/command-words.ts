/** The policy level a word names, whatever its case. */
export function matchLevel(word: string, levels: readonly string[]): string | undefined {
  return levels.find((l) => l.toUpperCase() === word.toUpperCase());
}

/** A word quoted back to the user: at most 40 characters, and no backticks to break the quote. */
export function clip(word: string): string {
  return word.length > 40 ? `${word.slice(0, 40)}…` : word.replace(/`/g, "'");
}

/** Splits `progress next: steps eta: when` into the update template's fields. */
export function splitUpdate(text: string): { progress: string; nextSteps?: string; eta?: string } {
  const marker = /(?:^|\s|;)(next|eta)\s*:/gi;
  const found = [...text.matchAll(marker)];
  if (!found.length) return { progress: text };
  const out: { progress: string; nextSteps?: string; eta?: string } = {
    progress: text
      .slice(0, found[0]!.index)
      .replace(/[;\s]+$/, '')
      .trim(),
  };
  found.forEach((m, i) => {
    const start = m.index + m[0].length;
    const end = found[i + 1]?.index ?? text.length;
    const value = text
      .slice(start, end)
      .replace(/[;\s]+$/, '')
      .trim();
    if (!value) return;
    if (m[1]!.toLowerCase() === 'next') out.nextSteps = value;
    else out.eta = value;
  });
  return out;
}
