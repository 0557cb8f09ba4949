import { clampText } from '../incident/incident.js';
import { withoutControl } from '../incident/text.js';

/**
 * Text from outside (alert labels and annotations, PagerDuty names and
 * notes) made safe for mrkdwn and cut to `max` characters: `&`, `<` and `>`
 * are escaped, so it can never become a mention, a `<!channel>` or a
 * disguised link, and backticks become a look-alike, so it cannot open or
 * close code formatting around our own text.
 */
export function escapeExternal(text: string, max: number): string {
  const clean = clampText(withoutControl(text), max);
  return clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`/g, 'ˋ');
}

/**
 * A link to an outside URL with a label of our own, or undefined when the
 * URL is not plain http(s). Characters that end or split a Slack link are
 * percent-encoded, so the URL can neither show other text nor point elsewhere.
 */
export function externalLink(url: string | null | undefined, label: string): string | undefined {
  if (!url || url.length > 2_000) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const href = parsed.href.replace(
    /[|<>\s`]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
  return `<${href.replace(/&/g, '&amp;')}|${label}>`;
}
