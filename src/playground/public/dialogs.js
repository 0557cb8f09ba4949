// Slack's dialogs in the page: a button's confirm dialog, the file viewer, and views (modals) as forms.
import { renderBlocks, textHtml } from './blocks.js';
import { plain } from './mrkdwn.js';
import { $, button, hooks, names, view } from './ui.js';

/** Shows a dialog box in `layer` with a title, a body and buttons; returns the box. */
function dialog(layer, { id, title, body, buttons, tag = 'div', wide = false }) {
  layer.innerHTML = '';
  const box = document.createElement(tag);
  box.className = `dialog${wide ? ' wide' : ''}`;
  box.id = id;
  box.innerHTML = `<h2 class="dialog-title">${plain(title)}</h2>`;
  box.append(body);
  const row = document.createElement('div');
  row.className = 'buttons';
  row.append(...buttons);
  box.append(row);
  layer.append(box);
  layer.hidden = false;
  return box;
}

const html = (markup) => Object.assign(document.createElement('div'), { innerHTML: markup });

/** Asks as Slack's confirm dialog does; resolves true on the confirm button. */
export function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $('confirm-layer');
    const no = button(confirm.deny?.text ?? 'Cancel', { id: 'confirm-deny' });
    const style = confirm.style === 'danger' ? 'danger' : 'primary';
    const yes = button(confirm.confirm?.text ?? 'Yes', { id: 'confirm-ok', className: `bk-button ${style}` });
    const done = (answer) => {
      layer.hidden = true;
      resolve(answer);
    };
    no.addEventListener('click', () => done(false));
    yes.addEventListener('click', () => done(true));
    const title = confirm.title?.text ?? 'Are you sure?';
    dialog(layer, { id: 'confirm', title, body: html(textHtml(confirm.text, names)), buttons: [no, yes] });
  });
}

/** Opens a shared file's text, as Slack's file viewer does. */
export async function showFile(f) {
  const res = await fetch(`/pg/files/${encodeURIComponent(f.id)}`);
  const layer = $('confirm-layer');
  const close = button('Close', { id: 'file-close' });
  close.addEventListener('click', () => {
    layer.hidden = true;
  });
  const body = html(`<pre>${plain(await res.text())}</pre>`);
  dialog(layer, { id: 'file-view', title: f.title, body, buttons: [close], wide: true });
}

/** What a view's form holds, per block and action ID: typed text, or the chosen option values. */
function formValues(form) {
  const values = {};
  for (const control of form.querySelectorAll('.control[data-block-id]')) {
    const value = control.multiple ? [...control.selectedOptions].map((o) => o.value) : control.value;
    values[control.dataset.blockId] = { [control.dataset.actionId]: value };
  }
  return values;
}

/** What Slack's client refuses before sending a view: required inputs left empty, text shorter than its minimum. */
function clientErrors(form) {
  const errors = {};
  for (const control of form.querySelectorAll('.control[data-block-id]')) {
    const value = control.multiple ? control.selectedOptions.length : control.value.trim();
    if (control.dataset.required && !value) errors[control.dataset.blockId] = 'Please complete this required field.';
    else if (value && control.dataset.minLength && value.length < Number(control.dataset.minLength))
      errors[control.dataset.blockId] = `Please enter at least ${control.dataset.minLength} characters.`;
  }
  return errors;
}

/** Shows the acting person's top view as a form (with the bot's `errors` per block), or nothing when none is open. */
export function renderModal(state, shownErrors) {
  const top = (state.modals[view.person] ?? []).at(-1);
  const layer = $('modal-layer');
  // The errors stay with their view until it is submitted again or replaced, whatever the polls bring.
  if (shownErrors) view.modalErrors = { id: top?.id, errors: shownErrors };
  const errors = top && view.modalErrors?.id === top.id ? view.modalErrors.errors : {};
  const key = top ? JSON.stringify([view.person, top, errors]) : '';
  if (key === view.modal) return;
  view.modal = key;
  layer.hidden = !top;
  layer.innerHTML = '';
  if (!top) return;
  const users = state.users.filter((u) => u.id !== state.bot);
  const body = document.createElement('div');
  body.append(renderBlocks(top.blocks, { names, users, channels: state.channels, errors, onAction: () => undefined }));
  const close = button(top.close?.text ?? 'Cancel', { id: 'modal-close' });
  close.addEventListener('click', () => hooks.act('close', { view: top.id }));
  const submit =
    top.submit && button(top.submit.text, { id: 'modal-submit', className: 'bk-button primary', type: 'submit' });
  const form = dialog(layer, {
    id: 'modal',
    tag: 'form',
    title: top.title?.text,
    body,
    buttons: submit ? [close, submit] : [close],
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const missing = clientErrors(form);
    if (Object.keys(missing).length) return renderModal(view.state, missing);
    const done = await hooks.act('submit', { view: top.id, values: formValues(form) });
    if (done && !done.result.closed) renderModal(view.state, done.result.errors);
  });
}
