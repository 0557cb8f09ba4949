// What the page's scripts share: the element lookup, what is shown, names for IDs, and the act of a person.

/** The element with this ID. */
export const $ = (id) => document.getElementById(id);

/** What the page shows: the last state polled, the person acting, the open channel, and render keys. */
export const view = { state: undefined, person: '', channel: '', shown: '', modal: '', thread: undefined };

/** User and channel names by ID, from the last state. */
export const names = {
  user: (id) => view.state?.users.find((u) => u.id === id)?.name ?? id,
  channel: (id) => view.state?.channels.find((c) => c.id === id)?.name ?? id,
};

/** Set by app.js: sends what the person did to /pg/<kind>; resolves `{ result }`, or undefined when refused. */
export const hooks = { act: async (_kind, _body) => undefined };

/** A button with this text (set as text, never as HTML), ID and class. */
export function button(text, { id, className = 'bk-button', type = 'button' } = {}) {
  const b = document.createElement('button');
  b.type = type;
  b.className = className;
  if (id) b.id = id;
  b.textContent = text;
  return b;
}
