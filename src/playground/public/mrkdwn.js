// Slack's mrkdwn as HTML: mentions as names, links, *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes, :emoji:.

const EMOJI = {
  rotating_light: '🚨',
  fire: '🔥',
  white_check_mark: '✅',
  warning: '⚠️',
  eyes: '👀',
  pushpin: '📌',
  memo: '📝',
  x: '❌',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  tada: '🎉',
  thumbsup: '👍',
  '+1': '👍',
  rocket: '🚀',
  bell: '🔔',
  mag: '🔍',
  clipboard: '📋',
  lock: '🔒',
  arrows_counterclockwise: '🔄',
  leftwards_arrow_with_hook: '↩️',
  no_entry: '⛔',
  information_source: 'ℹ️',
  heavy_check_mark: '✔️',
  stopwatch: '⏱️',
  pager: '📟',
  telephone_receiver: '📞',
  construction: '🚧',
  page_facing_up: '📄',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
};

/** An emoji's character, or its :name: when the page does not know it. */
export const emoji = (name) => EMOJI[name] ?? `:${name}:`;

const escapeHtml = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
/** Slack escapes &, < and > in message text; the page decodes them once, then escapes for HTML. */
const decode = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A `<…>` token of Slack's markup: a mention, a channel, a group, a date or a link. */
function token(inner, names) {
  const [target, label] = inner.split('|', 2);
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(names.user(target.slice(1)))}</span>`;
  if (target.startsWith('#'))
    return `<span class="mention channel" data-channel="${escapeHtml(target.slice(1))}">#${escapeHtml(label ?? names.channel(target.slice(1)))}</span>`;
  if (target.startsWith('!subteam^')) return `<span class="mention">${escapeHtml(label ?? '@group')}</span>`;
  if (target.startsWith('!date^')) return escapeHtml(decode(label ?? ''));
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = decode(target);
  if (!/^(https?:|mailto:)/.test(url)) return escapeHtml(decode(label ?? target));
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noreferrer">${escapeHtml(decode(label ?? target))}</a>`;
}

/** Bold, italic, strike and emoji in text that is already HTML-escaped and holds no code. */
function styled(html) {
  return html
    .replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,!?:;])/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,!?:;])/g, '$1<s>$2</s>')
    .replace(/:([a-z0-9_+-]+):/g, (m, name) => (EMOJI[name] ? EMOJI[name] : m));
}

/**
 * One line of text outside code blocks: `code` and <tokens> become HTML first and stand in as placeholders
 * while the rest is escaped and styled, so bold may span them as it does in Slack.
 */
function inline(text, names) {
  const held = [];
  const hold = (html) => `\uE000${held.push(html) - 1}\uE000`;
  const marked = text
    .replace(/`([^`]+)`/g, (_, code) => hold(`<code>${escapeHtml(decode(code))}</code>`))
    .replace(/<([^<>]+)>/g, (_, inner) => hold(token(inner, names)));
  return styled(escapeHtml(decode(marked))).replace(/\uE000(\d+)\uE000/g, (_, n) => held[Number(n)]);
}

/** Slack mrkdwn as HTML. `names` resolves user and channel IDs to names. */
export function mrkdwn(text, names) {
  const parts = String(text ?? '').split('```');
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre>${escapeHtml(decode(part.replace(/^\n/, '')))}</pre>`;
      return part
        .split('\n')
        .map((line) =>
          line.startsWith('&gt; ') || line.startsWith('> ')
            ? `<blockquote>${inline(line.replace(/^(&gt;|>) /, ''), names)}</blockquote>`
            : inline(line, names),
        )
        .join('<br>');
    })
    .join('');
}

/** Plain text as HTML (with emoji when Slack would show them). */
export function plain(text) {
  return escapeHtml(String(text ?? '')).replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
}
