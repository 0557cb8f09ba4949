// Block Kit as DOM: what a message or a view's blocks look like in Slack, near enough to read and click.
import { mrkdwn, plain } from './mrkdwn.js';

const el = (tag, className, html) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
};

/** A text object (plain_text or mrkdwn) as HTML. */
export const textHtml = (t, names) => (!t ? '' : t.type === 'mrkdwn' ? mrkdwn(t.text, names) : plain(t.text));

/** The block ID the server knows a block by: its own, or `#<index>` for one that came without. */
const blockIdOf = (block, index) => block.block_id ?? `#${index}`;

function button(element, blockId, ctx) {
  const b = el('button', `bk-button${element.style ? ` ${element.style}` : ''}`, plain(element.text?.text));
  b.type = 'button';
  b.dataset.actionId = element.action_id;
  b.addEventListener('click', () => ctx.onAction({ blockId, actionId: element.action_id, confirm: element.confirm }));
  return b;
}

function optionList(element) {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options ?? [])];
}

function select(element, blockId, ctx) {
  const s = el('select', 'bk-select');
  s.dataset.actionId = element.action_id;
  const placeholder = el(
    'option',
    '',
    plain(element.placeholder?.text ?? (element.type === 'overflow' ? '⋯' : 'Choose')),
  );
  placeholder.value = '';
  s.append(placeholder);
  for (const o of optionList(element)) {
    const option = el('option', '', plain(o.text?.text));
    option.value = o.value;
    s.append(option);
  }
  s.addEventListener('change', () => {
    if (s.value) ctx.onAction({ blockId, actionId: element.action_id, option: s.value, confirm: element.confirm });
  });
  return s;
}

/** An interactive element in a message (a button, a select or an overflow menu); other kinds show their type. */
function element(e, blockId, ctx) {
  if (e.type === 'button') return button(e, blockId, ctx);
  if (e.type === 'static_select' || e.type === 'overflow') return select(e, blockId, ctx);
  if (e.type === 'image') {
    const img = el('img', 'thumb');
    img.src = e.image_url;
    img.alt = e.alt_text ?? '';
    img.width = 48;
    return img;
  }
  return el('span', 'hint', plain(`[${e.type}]`));
}

function richText(block, names) {
  const part = (p) => {
    if (p.type === 'text') {
      let html = plain(p.text).replace(/\n/g, '<br>');
      if (p.style?.code) html = `<code>${html}</code>`;
      if (p.style?.bold) html = `<b>${html}</b>`;
      if (p.style?.italic) html = `<i>${html}</i>`;
      return html;
    }
    if (p.type === 'user') return `<span class="mention">@${plain(names.user(p.user_id))}</span>`;
    if (p.type === 'channel') return `<span class="mention">#${plain(names.channel(p.channel_id))}</span>`;
    if (p.type === 'link')
      return `<a href="${plain(p.url)}" target="_blank" rel="noreferrer">${plain(p.text ?? p.url)}</a>`;
    if (p.type === 'emoji') return plain(`:${p.name}:`);
    return '';
  };
  const section = (s) => {
    const inner = (s.elements ?? []).map((x) => (x.elements ? section(x) : part(x))).join('');
    if (s.type === 'rich_text_preformatted') return `<pre>${inner}</pre>`;
    if (s.type === 'rich_text_quote') return `<blockquote>${inner}</blockquote>`;
    if (s.type === 'rich_text_list')
      return `<ul>${(s.elements ?? []).map((x) => `<li>${section(x)}</li>`).join('')}</ul>`;
    return inner;
  };
  return el('div', 'rich', (block.elements ?? []).map(section).join('<br>'));
}

/** An input block of a view: its label and a form control named by block and action ID. */
function input(block, blockId, ctx) {
  const wrap = el('div', 'input');
  const e = block.element ?? {};
  const actionId = e.action_id ?? `${blockId}-input`;
  const id = `in-${blockId}-${actionId}`.replace(/[^\w-]/g, '_');
  const label = el(
    'label',
    '',
    plain(block.label?.text) + (block.optional ? ' <span class="hint">(optional)</span>' : ''),
  );
  label.htmlFor = id;
  wrap.append(label);
  let control;
  if (
    e.type === 'plain_text_input' ||
    e.type === 'number_input' ||
    e.type === 'email_text_input' ||
    e.type === 'url_text_input'
  ) {
    control = el(e.multiline ? 'textarea' : 'input');
    if (!e.multiline) control.type = e.type === 'number_input' ? 'number' : 'text';
    control.value = e.initial_value ?? '';
    if (e.placeholder) control.placeholder = e.placeholder.text;
  } else if (e.type === 'datepicker') {
    control = el('input');
    control.type = 'date';
    control.value = e.initial_date ?? '';
  } else if (e.type === 'timepicker') {
    control = el('input');
    control.type = 'time';
    control.value = e.initial_time ?? '';
  } else {
    control = el('select');
    const multiple = e.type?.startsWith('multi_') || e.type === 'checkboxes';
    control.multiple = multiple;
    const choices = e.type?.includes('users')
      ? ctx.users.map((u) => ({ value: u.id, text: u.name }))
      : e.type?.includes('conversations') || e.type?.includes('channels')
        ? ctx.channels.filter((c) => !c.isIm).map((c) => ({ value: c.id, text: `#${c.name}` }))
        : optionList(e).map((o) => ({ value: o.value, text: o.text?.text }));
    if (!multiple)
      control.append(Object.assign(el('option', '', plain(e.placeholder?.text ?? 'Choose')), { value: '' }));
    const initial = [
      e.initial_option?.value,
      e.initial_user,
      e.initial_conversation,
      e.initial_channel,
      ...(e.initial_options ?? []).map((o) => o.value),
      ...(e.initial_users ?? []),
    ].filter(Boolean);
    for (const c of choices) {
      const option = el('option', '', plain(c.text));
      option.value = c.value;
      option.selected = initial.includes(c.value);
      control.append(option);
    }
  }
  control.id = id;
  control.classList.add('control');
  // Slack's client checks these itself: nothing is sent while a required input is empty or too short.
  if (!block.optional) control.dataset.required = 'true';
  if (e.max_length) control.maxLength = e.max_length;
  if (e.min_length) control.dataset.minLength = String(e.min_length);
  control.dataset.blockId = blockId;
  control.dataset.actionId = actionId;
  wrap.append(control);
  if (block.hint) wrap.append(el('div', 'hint', plain(block.hint.text)));
  const error = ctx.errors?.[blockId];
  if (error) wrap.append(el('div', 'error', plain(error)));
  return wrap;
}

/** One block as DOM. */
function block(b, index, ctx) {
  const blockId = blockIdOf(b, index);
  const wrap = el('div', `block ${b.type}`);
  switch (b.type) {
    case 'header':
      wrap.append(el('h3', '', plain(b.text?.text)));
      break;
    case 'divider':
      wrap.append(el('hr'));
      break;
    case 'section': {
      const body = el('div', 'section-body');
      if (b.text) body.append(el('div', 'text', textHtml(b.text, ctx.names)));
      if (b.fields) {
        const fields = el('div', 'fields');
        for (const f of b.fields) fields.append(el('div', '', textHtml(f, ctx.names)));
        body.append(fields);
      }
      const row = el('div', 'section');
      row.append(body);
      if (b.accessory) row.append(element(b.accessory, blockId, ctx));
      wrap.append(row);
      break;
    }
    case 'context':
      wrap.classList.add('context');
      for (const e of b.elements ?? []) {
        if (e.type === 'image') {
          const img = el('img');
          img.src = e.image_url;
          img.alt = e.alt_text ?? '';
          wrap.append(img);
        } else wrap.append(el('span', '', textHtml(e, ctx.names)));
      }
      break;
    case 'image': {
      if (b.title) wrap.append(el('div', 'hint', plain(b.title.text)));
      const img = el('img', 'image');
      img.src = b.image_url;
      img.alt = b.alt_text ?? '';
      wrap.append(img);
      break;
    }
    case 'actions':
      wrap.classList.add('actions');
      for (const e of b.elements ?? []) wrap.append(element(e, blockId, ctx));
      break;
    case 'rich_text':
      wrap.append(richText(b, ctx.names));
      break;
    case 'markdown':
      wrap.append(el('div', 'text', mrkdwn(b.text, ctx.names)));
      break;
    case 'input':
      wrap.append(input(b, blockId, ctx));
      break;
    default:
      wrap.append(el('span', 'hint', plain(`[${b.type} block]`)));
  }
  wrap.dataset.blockId = blockId;
  return wrap;
}

/**
 * Renders blocks into a fragment. `ctx`: `names` ({ user(id), channel(id) }), `onAction({ blockId, actionId,
 * option, confirm })` for clicks, and in views `users`, `channels` and `errors` (by block ID).
 */
export function renderBlocks(blocks, ctx) {
  const fragment = document.createDocumentFragment();
  (blocks ?? []).forEach((b, i) => {
    fragment.append(block(b, i, ctx));
  });
  return fragment;
}
