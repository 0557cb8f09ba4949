/**
 * Structured references: how the domain speaks of people, user groups and channels. It
 * never writes a chat tool's markup; the chat adapter renders a reference (a name, a
 * mention that pings only when someone must act, a channel link), and reports use names.
 */

/** A person or a user group (the chat adapter tells them apart), or a channel. */
export interface Ref {
  readonly kind: 'person' | 'channel';
  readonly id: string;
}

/** A person or a user group, by ID. */
export const person = (id: string): Ref => ({ kind: 'person', id });

/** A channel, by ID. */
export const channel = (id: string): Ref => ({ kind: 'channel', id });

/** The references a timeline entry's `data.refs` holds: whom the entry names after its text. */
export function refsOf(data: Readonly<Record<string, unknown>> | undefined): Ref[] {
  const refs = data?.refs;
  if (!Array.isArray(refs)) return [];
  return refs.filter(
    (r): r is Ref =>
      !!r && typeof r === 'object' && (r.kind === 'person' || r.kind === 'channel') && typeof r.id === 'string',
  );
}

/**
 * An entry's plain text with the people it names after it ("…; reminded" + "dana"), each
 * shown as `show` says: a name in a report, a name or a link in chat.
 */
export function withRefs(
  entry: { readonly text: string; readonly data?: Readonly<Record<string, unknown>> },
  show: (ref: Ref) => string,
): string {
  const refs = refsOf(entry.data);
  return refs.length ? `${entry.text} ${refs.map(show).join(', ')}` : entry.text;
}
