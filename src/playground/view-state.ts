/**
 * Block Kit state as Slack reports it: the element a click hit (for
 * `block_actions`) and the values of a view's inputs (for `view_submission`),
 * built from the blocks themselves, so the page can only choose among what the
 * bot offered.
 */

type Obj = Record<string, unknown>;

/** What the page sends for a form: per block ID and action ID, the typed text or the chosen option values. */
export type RawValues = Record<string, Record<string, string | string[] | null | undefined>>;

/** `view.state.values` as Slack sends it in a `view_submission`. */
export type ViewValues = Record<string, Record<string, Obj>>;

const objects = (value: unknown): Obj[] =>
  Array.isArray(value) ? value.filter((v): v is Obj => !!v && typeof v === 'object') : [];

/** Every option of a select, radio group or checkbox group, including those in option groups. */
function optionsOf(element: Obj): Obj[] {
  return [...objects(element.options), ...objects(element.option_groups).flatMap((g) => objects(g.options))];
}

/** The block ID Slack gives a block that came without one: `#<index>` here, so the page can name it. */
const blockIdOf = (block: Obj, index: number) => (typeof block.block_id === 'string' ? block.block_id : `#${index}`);

/**
 * The action a click on `actionId` in block `blockId` reports: a button with its value, or a select or overflow
 * with the chosen option (`option`, which must be one it offers). Undefined when no such element is there.
 */
export function findElement(blocks: unknown, blockId: string, actionId: string, option?: string): Obj | undefined {
  const block = objects(blocks).find((b, i) => blockIdOf(b, i) === blockId);
  if (!block) return undefined;
  const candidates = [...objects(block.elements), ...objects([block.accessory])];
  const element = candidates.find((e) => e.action_id === actionId);
  if (!element) return undefined;
  if (element.type === 'button')
    return {
      type: 'button',
      text: element.text,
      ...(element.value !== undefined && { value: element.value }),
      ...(element.style !== undefined && { style: element.style }),
    };
  const chosen = optionsOf(element).find((o) => o.value === option);
  if (!chosen) return undefined;
  return {
    type: element.type,
    selected_option: chosen,
    ...(element.placeholder !== undefined && { placeholder: element.placeholder }),
  };
}

/** One input's state, by its element type, from what was typed or chosen. */
function inputState(element: Obj, raw: string | string[] | null | undefined): Obj {
  const type = String(element.type);
  const one = Array.isArray(raw) ? raw[0] : raw;
  const many = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const options = optionsOf(element);
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: options.find((o) => o.value === one) ?? null };
    case 'multi_static_select':
    case 'checkboxes':
      return { type, selected_options: options.filter((o) => many.includes(String(o.value))) };
    case 'users_select':
      return { type, selected_user: one || null };
    case 'multi_users_select':
      return { type, selected_users: many };
    case 'conversations_select':
      return { type, selected_conversation: one || null };
    case 'channels_select':
      return { type, selected_channel: one || null };
    case 'datepicker':
      return { type, selected_date: one || null };
    case 'timepicker':
      return { type, selected_time: one || null };
    default:
      return { type, value: one || null };
  }
}

/** `view.state.values` for a view's input blocks, from what the page's form holds. */
export function viewValues(view: Obj, raw: RawValues): ViewValues {
  const values: ViewValues = {};
  objects(view.blocks).forEach((block, index) => {
    if (block.type !== 'input' || !block.element || typeof block.element !== 'object') return;
    const element = block.element as Obj;
    const blockId = blockIdOf(block, index);
    const actionId = typeof element.action_id === 'string' ? element.action_id : `${blockId}-input`;
    values[blockId] = { [actionId]: inputState(element, raw[blockId]?.[actionId]) };
  });
  return values;
}
