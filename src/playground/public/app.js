// The playground page: polls what the workspace holds and sends what the person does to /pg/*, which the
// server turns into exactly what Slack would send the bot.
import { renderBlocks, textHtml } from './blocks.js';
import { emoji, mrkdwn, plain } from './mrkdwn.js';

const $ = (id) => document.getElementById(id);
const view = { state: undefined, person: '', channel: '', shown: '', modal: '' };

const names = {
  user: (id) => view.state?.users.find((u) => u.id === id)?.name ?? id,
  channel: (id) => view.state?.channels.find((c) => c.id === id)?.name ?? id,
};

async function act(kind, body) {
  const res = await fetch(`/pg/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: view.person, ...body }),
  });
  const answer = await res.json().catch(() => ({ error: `the playground answered ${res.status}` }));
  $('composer-error').textContent = res.ok ? '' : answer.error;
  await refresh();
  return res.ok ? { result: answer.result } : undefined;
}

/** Asks as Slack's confirm dialog does; resolves true on the confirm button. */
function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $('confirm-layer');
    layer.innerHTML = '';
    const box = document.createElement('div');
    box.className = 'dialog';
    box.id = 'confirm';
    box.innerHTML = `<h2 class="dialog-title">${plain(confirm.title?.text ?? 'Are you sure?')}</h2><div>${textHtml(confirm.text, names)}</div>`;
    const buttons = document.createElement('div');
    buttons.className = 'buttons';
    const no = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'bk-button',
      id: 'confirm-deny',
    });
    no.innerHTML = plain(confirm.deny?.text ?? 'Cancel');
    const yes = Object.assign(document.createElement('button'), { type: 'button', id: 'confirm-ok' });
    yes.className = `bk-button ${confirm.style === 'danger' ? 'danger' : 'primary'}`;
    yes.innerHTML = plain(confirm.confirm?.text ?? 'Yes');
    const done = (answer) => {
      layer.hidden = true;
      resolve(answer);
    };
    no.addEventListener('click', () => done(false));
    yes.addEventListener('click', () => done(true));
    buttons.append(no, yes);
    box.append(buttons);
    layer.append(box);
    layer.hidden = false;
  });
}

/** Opens a shared file's text, as Slack's file viewer does. */
async function showFile(f) {
  const res = await fetch(`/pg/files/${encodeURIComponent(f.id)}`);
  const layer = $('confirm-layer');
  layer.innerHTML = '';
  const box = Object.assign(document.createElement('div'), { className: 'dialog wide', id: 'file-view' });
  box.innerHTML = `<h2 class="dialog-title">${plain(f.title)}</h2><pre>${plain(await res.text())}</pre>`;
  const close = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'bk-button',
    id: 'file-close',
  });
  close.textContent = 'Close';
  close.addEventListener('click', () => {
    layer.hidden = true;
  });
  const buttons = Object.assign(document.createElement('div'), { className: 'buttons' });
  buttons.append(close);
  box.append(buttons);
  layer.append(box);
  layer.hidden = false;
}

function actionHandler(at) {
  return async ({ blockId, actionId, option, confirm }) => {
    if (confirm && !(await confirmDialog(confirm))) return;
    await act('click', { ...at, blockId, actionId, option });
  };
}

function channelsFor(state) {
  const mine = state.channels.filter((c) => !c.isIm || c.members.includes(view.person));
  return { rooms: mine.filter((c) => !c.isIm), dms: mine.filter((c) => c.isIm) };
}

function renderSidebar(state) {
  const person = $('person');
  if (person.options.length !== state.users.length - 1) {
    person.innerHTML = '';
    for (const u of state.users.filter((x) => x.id !== state.bot)) {
      const o = document.createElement('option');
      o.value = u.id;
      o.textContent = `${u.realName} (${u.role})`;
      person.append(o);
    }
    person.value = view.person;
  }
  const { rooms, dms } = channelsFor(state);
  const list = (ul, channels, label) => {
    ul.innerHTML = '';
    for (const c of channels) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.textContent = label(c);
      b.dataset.channel = c.id;
      b.dataset.channelName = c.name;
      if (c.id === view.channel) b.classList.add('active');
      b.addEventListener('click', () => {
        view.channel = c.id;
        view.shown = '';
        render();
      });
      li.append(b);
      ul.append(li);
    }
  };
  list($('channels'), rooms, (c) => `# ${c.name}`);
  list($('dms'), dms, () => 'firebreak');
}

function reactions(m, channel) {
  const row = document.createElement('div');
  row.className = 'reactions';
  for (const r of m.reactions) {
    const mine = r.users.includes(view.person);
    const b = document.createElement('button');
    b.className = `reaction${mine ? ' mine' : ''}`;
    b.title = r.users.map(names.user).join(', ');
    b.textContent = `${emoji(r.name)} ${r.users.length}`;
    b.addEventListener('click', () => act('react', { channel: channel.id, ts: m.ts, name: r.name, on: !mine }));
    row.append(b);
  }
  return row;
}

function tools(m, channel) {
  const box = document.createElement('div');
  box.className = 'tools';
  const add = (label, title, work) => {
    const b = document.createElement('button');
    b.textContent = label;
    b.className = 'tool';
    b.title = title;
    b.addEventListener('click', work);
    box.append(b);
  };
  for (const name of ['eyes', 'white_check_mark', 'pushpin'])
    add(emoji(name), `React with :${name}:`, () => act('react', { channel: channel.id, ts: m.ts, name, on: true }));
  if (!channel.pins.includes(m.ts)) {
    add('Pin', 'Pin to this channel', () => act('pin', { channel: channel.id, ts: m.ts }));
    box.lastChild.classList.add('pin');
  }
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
  const pinned = channel.pins?.includes(m.ts) ? ' <span class="pinned">📌 pinned</span>' : '';
  const only = ephemeral ? ' · <i>Only visible to you</i>' : '';
  node.innerHTML = `<div class="meta"><b>${plain(names.user(m.user))}</b>${time}${only}${pinned}</div>`;
  const at = ephemeral ? { channel: channel.id, ephemeral: m.id } : { channel: channel.id, ts: m.ts };
  if (m.blocks?.length) node.append(renderBlocks(m.blocks, { names, onAction: actionHandler(at) }));
  else node.insertAdjacentHTML('beforeend', `<div class="text">${mrkdwn(m.text, names)}</div>`);
  for (const f of m.files ?? []) {
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'file' });
    b.textContent = `📄 ${f.title}`;
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

function renderMessages(state) {
  const channel = state.channels.find((c) => c.id === view.channel);
  if (!channel) return;
  $('channel-name').textContent = channel.isIm ? 'firebreak' : `# ${channel.name}`;
  $('channel-topic').innerHTML = channel.topic ? mrkdwn(channel.topic, names) : '';
  const box = $('messages');
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const kept = box.scrollTop;
  box.innerHTML = '';
  const items = [
    ...channel.messages.map((m) => ({ m, ephemeral: false })),
    ...state.ephemerals
      .filter((e) => e.channel === channel.id && e.user === view.person)
      .map((m) => ({ m: { ...m, user: state.bot, reactions: [] }, ephemeral: true })),
  ].sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
  for (const { m, ephemeral } of items) box.append(messageNode(m, channel, ephemeral));
  box.scrollTop = atBottom || view.scrollDown ? box.scrollHeight : kept;
  view.scrollDown = false;
}

function renderCluster(state) {
  const body = $('deployments');
  body.innerHTML = '';
  for (const d of state.deployments) {
    const tr = document.createElement('tr');
    tr.dataset.deployment = `${d.namespace}/${d.name}`;
    if (d.ready !== d.desired || d.updated !== d.desired) tr.classList.add('rolling');
    tr.innerHTML = `<td>${plain(d.name)}<div class="ns">${plain(d.namespace)}</div></td><td class="image">${plain(d.image.split('/').pop())}</td><td class="revision">${plain(d.revision)}</td><td class="ready">${d.ready}/${d.desired}</td>`;
    body.append(tr);
  }
  const alerts = $('alerts');
  if (state.alerts.length) {
    alerts.innerHTML = '';
    for (const a of state.alerts) {
      const li = document.createElement('li');
      li.innerHTML = `<b>${plain(a.status)}</b> ${plain(a.summary)} <span class="hint">${plain(a.dedupKey)}</span>`;
      alerts.append(li);
    }
  }
}

function formValues(form) {
  const values = {};
  for (const control of form.querySelectorAll('[data-block-id]')) {
    const value = control.multiple ? [...control.selectedOptions].map((o) => o.value) : control.value;
    values[control.dataset.blockId] = { [control.dataset.actionId]: value };
  }
  return values;
}

function renderModal(state, errors = {}) {
  const stack = state.modals[view.person] ?? [];
  const top = stack.at(-1);
  const layer = $('modal-layer');
  const key = top ? `${top.id}:${JSON.stringify(errors)}` : '';
  if (key === view.modal) return;
  view.modal = key;
  layer.hidden = !top;
  layer.innerHTML = '';
  if (!top) return;
  const form = document.createElement('form');
  form.className = 'dialog';
  form.id = 'modal';
  form.innerHTML = `<h2 class="dialog-title">${plain(top.title?.text)}</h2>`;
  form.append(
    renderBlocks(top.blocks, {
      names,
      users: state.users.filter((u) => u.id !== state.bot),
      channels: state.channels,
      errors,
      onAction: () => undefined,
    }),
  );
  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  const close = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'bk-button',
    id: 'modal-close',
  });
  close.textContent = top.close?.text ?? 'Cancel';
  close.addEventListener('click', () => act('close', { view: top.id }));
  buttons.append(close);
  if (top.submit) {
    const submit = Object.assign(document.createElement('button'), {
      type: 'submit',
      className: 'bk-button primary',
      id: 'modal-submit',
    });
    submit.textContent = top.submit.text;
    buttons.append(submit);
  }
  form.append(buttons);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const done = await act('submit', { view: top.id, values: formValues(form) });
    if (done && !done.result.closed) renderModal(view.state, done.result.errors);
  });
  layer.append(form);
}

function render() {
  const state = view.state;
  if (!state) return;
  if (!view.person) view.person = state.users.find((u) => u.id !== state.bot)?.id ?? '';
  const { rooms, dms } = channelsFor(state);
  if (![...rooms, ...dms].some((c) => c.id === view.channel)) view.channel = rooms[0]?.id ?? '';
  renderSidebar(state);
  renderCluster(state);
  renderModal(state);
  const shown = JSON.stringify([
    view.person,
    view.channel,
    state.channels.find((c) => c.id === view.channel),
    state.ephemerals,
  ]);
  if (shown !== view.shown) {
    view.shown = shown;
    renderMessages(state);
  }
}

async function refresh() {
  const res = await fetch('/pg/state');
  if (!res.ok) return;
  view.state = await res.json();
  render();
}

$('person').addEventListener('change', (e) => {
  view.person = e.target.value;
  view.shown = '';
  view.modal = '';
  render();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('composer-text').value.trim();
  if (!text) return;
  const done = text.startsWith('/')
    ? await act('command', { channel: view.channel, text })
    : await act('say', { channel: view.channel, text, threadTs: view.thread });
  if (done !== undefined) {
    $('composer-text').value = '';
    view.thread = undefined;
    $('composer-text').placeholder = 'Message, or a command such as /incident declare P1 Checkout is failing';
    view.scrollDown = true;
  }
});

$('composer-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

await refresh();
setInterval(() => void refresh(), 700);
