// A channel's messages: Block Kit or mrkdwn, files, reactions, pins, and the tools to react, pin and reply.
import { renderBlocks } from './blocks.js';
import { confirmDialog, showFile } from './dialogs.js';
import { emoji, mrkdwn, plain } from './mrkdwn.js';
import { $, button, hooks, names, view } from './ui.js';

/** Rendered messages by what they show: a message that did not change keeps its node (and any hover on it). */
let rendered = new Map();

function actionHandler(at) {
  return async ({ blockId, actionId, option, confirm }) => {
    if (confirm && !(await confirmDialog(confirm))) return;
    await hooks.act('click', { ...at, blockId, actionId, option });
  };
}

function reactions(m, channel) {
  const row = document.createElement('div');
  row.className = 'reactions';
  for (const r of m.reactions) {
    const mine = r.users.includes(view.person);
    const b = button(`${emoji(r.name)} ${r.users.length}`, { className: `reaction${mine ? ' mine' : ''}` });
    b.title = r.users.map(names.user).join(', ');
    b.addEventListener('click', () => hooks.act('react', { channel: channel.id, ts: m.ts, name: r.name, on: !mine }));
    row.append(b);
  }
  return row;
}

function tools(m, channel) {
  const box = document.createElement('div');
  box.className = 'tools';
  const add = (label, title, work, extra = '') => {
    const b = button(label, { className: `tool${extra}` });
    b.title = title;
    b.addEventListener('click', work);
    box.append(b);
  };
  for (const name of ['eyes', 'white_check_mark', 'pushpin'])
    add(emoji(name), `React with :${name}:`, () =>
      hooks.act('react', { channel: channel.id, ts: m.ts, name, on: true }),
    );
  if (!channel.pins.includes(m.ts))
    add('Pin', 'Pin to this channel', () => hooks.act('pin', { channel: channel.id, ts: m.ts }), ' pin');
  add('Reply', 'Reply in thread', () => {
    view.thread = m.ts;
    $('composer-text').placeholder = 'Reply in thread…';
    $('composer-text').focus();
  });
  return box;
}

function messageNode(m, channel, ephemeral) {
  const node = document.createElement('div');
  node.className = `message${ephemeral ? ' ephemeral' : ''}${m.threadTs && m.threadTs !== m.ts ? ' reply' : ''}`;
  node.dataset.ts = m.ts;
  const time = new Date(Number(m.ts) * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const pinned = channel.pins.includes(m.ts) ? ' <span class="pinned">📌 pinned</span>' : '';
  const only = ephemeral ? ' · <i>Only visible to you</i>' : '';
  node.innerHTML = `<div class="meta"><b>${plain(names.user(m.user))}</b>${time}${only}${pinned}</div>`;
  const at = ephemeral ? { channel: channel.id, ephemeral: m.id } : { channel: channel.id, ts: m.ts };
  if (m.blocks?.length) node.append(renderBlocks(m.blocks, { names, onAction: actionHandler(at) }));
  else node.insertAdjacentHTML('beforeend', `<div class="text">${mrkdwn(m.text, names)}</div>`);
  for (const f of m.files ?? []) {
    const b = button(`📄 ${f.title}`, { className: 'file' });
    b.dataset.file = f.id;
    b.addEventListener('click', () => showFile(f));
    node.append(b);
  }
  if (!ephemeral) {
    if (m.reactions.length) node.append(reactions(m, channel));
    node.append(tools(m, channel));
  }
  return node;
}

/** The ts a message sorts under: its thread's parent for a reply, so replies follow their parent. */
const threadOf = (m) => m.threadTs ?? m.ts;

/** Shows the open channel's messages, and the acting person's ephemeral ones, oldest first. */
export function renderMessages(state) {
  const channel = state.channels.find((c) => c.id === view.channel);
  if (!channel) return;
  $('channel-name').textContent = channel.isIm ? 'firebreak' : `# ${channel.name}`;
  $('channel-topic').innerHTML = channel.topic ? mrkdwn(channel.topic, names) : '';
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const kept = box.scrollTop;
  const items = [
    ...channel.messages.map((m) => ({ m, ephemeral: false })),
    ...state.ephemerals
      .filter((e) => e.channel === channel.id && e.user === view.person)
      .map((m) => ({ m: { ...m, user: state.bot, reactions: [] }, ephemeral: true })),
  ].sort((a, b) => Number(threadOf(a.m)) - Number(threadOf(b.m)) || Number(a.m.ts) - Number(b.m.ts));
  const next = new Map();
  const nodes = items.map(({ m, ephemeral }) => {
    const key = JSON.stringify([view.person, channel.id, m, ephemeral, channel.pins.includes(m.ts)]);
    const node = rendered.get(key) ?? messageNode(m, channel, ephemeral);
    next.set(key, node);
    return node;
  });
  rendered = next;
  box.replaceChildren(...nodes);
  box.scrollTop = atBottom || view.scrollDown ? box.scrollHeight : kept;
  view.scrollDown = false;
}
