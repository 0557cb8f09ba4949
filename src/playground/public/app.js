// The playground page: polls what the workspace holds and sends what the person does to /pg/*, which the
// server turns into exactly what Slack would send the bot.
import { renderModal } from './dialogs.js';
import { renderMessages } from './messages.js';
import { plain } from './mrkdwn.js';
import { $, button, hooks, view } from './ui.js';

const PLACEHOLDER = 'Message, or a command such as /incident declare P1 Checkout is failing';

hooks.act = async (kind, body) => {
  const res = await fetch(`/pg/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: view.person, ...body }),
  });
  const answer = await res.json().catch(() => ({ error: `the playground answered ${res.status}` }));
  $('composer-error').textContent = res.ok ? '' : answer.error;
  await refresh();
  return res.ok ? { result: answer.result } : undefined;
};

function channelsFor(state) {
  const mine = state.channels.filter((c) => !c.isIm || c.members.includes(view.person));
  return { rooms: mine.filter((c) => !c.isIm), dms: mine.filter((c) => c.isIm) };
}

function renderSidebar(state) {
  const person = $('person');
  if (person.options.length !== state.users.length - 1) {
    person.innerHTML = '';
    for (const u of state.users.filter((x) => x.id !== state.bot))
      person.append(
        Object.assign(document.createElement('option'), { value: u.id, textContent: `${u.realName} (${u.role})` }),
      );
    person.value = view.person;
  }
  const { rooms, dms } = channelsFor(state);
  const list = (ul, channels, label) => {
    ul.replaceChildren(
      ...channels.map((c) => {
        const b = button(label(c), { className: c.id === view.channel ? 'active' : '' });
        b.dataset.channel = c.id;
        b.dataset.channelName = c.name;
        b.addEventListener('click', () => {
          view.channel = c.id;
          view.shown = '';
          render();
        });
        const li = document.createElement('li');
        li.append(b);
        return li;
      }),
    );
  };
  list($('channels'), rooms, (c) => `# ${c.name}`);
  list($('dms'), dms, () => 'firebreak');
}

function renderCluster(state) {
  $('deployments').replaceChildren(
    ...state.deployments.map((d) => {
      const tr = document.createElement('tr');
      tr.dataset.deployment = `${d.namespace}/${d.name}`;
      if (d.ready !== d.desired || d.updated !== d.desired) tr.classList.add('rolling');
      const image = d.image.split('/').pop();
      tr.innerHTML = `<td>${plain(d.name)}<div class="ns">${plain(d.namespace)}</div></td><td class="image">${plain(image)}</td><td class="revision">${plain(d.revision)}</td><td class="ready">${d.ready}/${d.desired}</td>`;
      return tr;
    }),
  );
  if (!state.alerts.length) return;
  $('alerts').replaceChildren(
    ...state.alerts.map((a) =>
      Object.assign(document.createElement('li'), {
        innerHTML: `<b>${plain(a.status)}</b> ${plain(a.summary)} <span class="hint">${plain(a.dedupKey)}</span>`,
      }),
    ),
  );
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
  const open = state.channels.find((c) => c.id === view.channel);
  const shown = JSON.stringify([view.person, open, state.ephemerals]);
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
  render();
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('composer-text').value.trim();
  if (!text) return;
  const done = text.startsWith('/')
    ? await hooks.act('command', { channel: view.channel, text })
    : await hooks.act('say', { channel: view.channel, text, threadTs: view.thread });
  if (done === undefined) return;
  $('composer-text').value = '';
  $('composer-text').placeholder = PLACEHOLDER;
  view.thread = undefined;
  view.scrollDown = true;
});

// A channel named in a message opens it, as in Slack.
$('messages').addEventListener('click', (event) => {
  const link = event.target.closest('.mention[data-channel]');
  if (!link || !view.state?.channels.some((c) => c.id === link.dataset.channel)) return;
  view.channel = link.dataset.channel;
  view.shown = '';
  render();
});

$('composer-text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

await refresh();
setInterval(() => void refresh(), 700);
