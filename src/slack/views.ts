import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { MAX_TITLE_LENGTH } from '../incident/command.js';
import { clampText, type Incident, STATUSES, type Status } from '../incident/incident.js';
import type { Policy } from '../incident/policy.js';
import { unstorableText } from '../incident/text.js';
import type { Block } from './block-kit.js';

/** A modal whose blocks are all of Slack's known kinds, so code that edits them can narrow on `type`. */
export type Modal = Omit<ModalView, 'blocks'> & { blocks: KnownBlock[] };

export const DECLARE_VIEW = 'declare_incident';

/** The declare modal: severity, title, impact and affected services. */
export function declareModal(policy: Policy, originChannel: string): Modal {
  const options = policy.severities.map((s) => ({
    text: { type: 'plain_text' as const, text: clampText(`${s.level}: ${s.description}`, 75) },
    value: s.level,
  }));
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: 'severity',
      label: { type: 'plain_text', text: 'Severity' },
      element: {
        type: 'static_select',
        action_id: 'severity',
        options,
        placeholder: { type: 'plain_text', text: 'Choose a severity' },
      },
    },
    {
      type: 'input',
      block_id: 'title',
      label: { type: 'plain_text', text: 'Title' },
      element: {
        type: 'plain_text_input',
        action_id: 'title',
        max_length: MAX_TITLE_LENGTH,
        placeholder: { type: 'plain_text', text: 'Checkout is failing for EU users' },
      },
    },
    {
      type: 'input',
      block_id: 'impact',
      optional: true,
      label: { type: 'plain_text', text: 'Impact' },
      element: { type: 'plain_text_input', action_id: 'impact', multiline: true, max_length: 2000 },
    },
    {
      type: 'input',
      block_id: 'services',
      optional: true,
      label: { type: 'plain_text', text: 'Affected services' },
      hint: { type: 'plain_text', text: 'Comma-separated, e.g. auth-api, login-web' },
      element: { type: 'plain_text_input', action_id: 'services', max_length: 500 },
    },
  ];
  return {
    type: 'modal' as const,
    callback_id: DECLARE_VIEW,
    private_metadata: JSON.stringify({ channelId: originChannel }),
    title: { type: 'plain_text' as const, text: 'Declare an incident' },
    submit: { type: 'plain_text' as const, text: 'Declare' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks,
  };
}

/** What the declare form carries: the channel it was opened from (the reply goes there if it is a war room). */
export const DECLARE_METADATA = z.object({ channelId: z.string().optional() });
/** What the update form carries: its incident. */
export const UPDATE_METADATA = z.object({ incidentId: z.string().optional() });
/** What the declare form of an alert group carries: the channel, the group and its episode. */
export const ALERT_DECLARE_METADATA = DECLARE_METADATA.extend({ g: z.number().optional(), e: z.number().optional() });

/** A form's private metadata as `schema` reads it; empty when it is missing, not JSON or not of that shape. */
export function readMetadata<T extends object>(view: { private_metadata?: string }, schema: z.ZodType<T>): Partial<T> {
  try {
    return schema.safeParse(JSON.parse(view.private_metadata || '{}')).data ?? {};
  } catch {
    return {};
  }
}

export type StateValues = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null }>
>;

/** Reads the declare modal; returns field errors keyed by block_id when something is wrong. */
export function readDeclareModal(
  values: StateValues,
  policy: Policy,
):
  | { ok: true; severity: string; title: string; impact: string | null; services: string[] }
  | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const severity = values.severity?.severity?.selected_option?.value ?? '';
  if (!policy.severities.some((s) => s.level === severity)) errors.severity = 'Choose a severity from the list.';
  const title = (values.title?.title?.value ?? '').trim();
  if (!title) errors.title = 'Give the incident a title.';
  else if (title.length > MAX_TITLE_LENGTH) errors.title = `Keep the title under ${MAX_TITLE_LENGTH} characters.`;
  else if (/<[@!#]/.test(title)) errors.title = 'Titles cannot contain mentions; name people with /incident role.';
  const impact = (values.impact?.impact?.value ?? '').trim() || null;
  const servicesText = values.services?.services?.value ?? '';
  const services = servicesText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 20);
  Object.assign(errors, textErrors({ title, impact: impact ?? '', services: servicesText }, errors));
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, severity, title, impact, services };
}

export const UPDATE_VIEW = 'post_update';

/** The update form, prefilled from the incident's current status and last update. */
export function updateModal(incident: Incident): Modal {
  const statuses = STATUSES.filter((s) => s !== 'resolved').map((s) => ({
    text: { type: 'plain_text' as const, text: s },
    value: s,
  }));
  const current = statuses.find((o) => o.value === incident.status);
  const last = incident.lastUpdate;
  const blocks: Block[] = [
    {
      type: 'input',
      block_id: 'u_status',
      label: { type: 'plain_text', text: 'Status' },
      element: {
        type: 'static_select',
        action_id: 'u_status',
        options: statuses,
        ...(current && { initial_option: current }),
      },
    },
    {
      type: 'input',
      block_id: 'u_progress',
      label: { type: 'plain_text', text: 'Progress' },
      element: {
        type: 'plain_text_input',
        action_id: 'u_progress',
        multiline: true,
        max_length: 2000,
        ...(last && { initial_value: last.progress }),
      },
    },
    {
      type: 'input',
      block_id: 'u_next',
      optional: true,
      label: { type: 'plain_text', text: 'Next steps' },
      element: {
        type: 'plain_text_input',
        action_id: 'u_next',
        max_length: 500,
        ...(last?.nextSteps && { initial_value: last.nextSteps }),
      },
    },
    {
      type: 'input',
      block_id: 'u_eta',
      optional: true,
      label: { type: 'plain_text', text: 'ETA' },
      element: {
        type: 'plain_text_input',
        action_id: 'u_eta',
        max_length: 100,
        ...(last?.eta && { initial_value: last.eta }),
      },
    },
  ];
  return {
    type: 'modal' as const,
    callback_id: UPDATE_VIEW,
    private_metadata: JSON.stringify({ incidentId: incident.id }),
    title: { type: 'plain_text' as const, text: clampText(`Update ${incident.id}`, 24) },
    submit: { type: 'plain_text' as const, text: 'Post update' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks,
  };
}

/** Reads the update form. */
export function readUpdateModal(
  values: StateValues,
):
  | { ok: true; status?: Status; progress: string; nextSteps?: string; eta?: string }
  | { ok: false; errors: Record<string, string> } {
  const progress = (values.u_progress?.u_progress?.value ?? '').trim();
  if (!progress) return { ok: false, errors: { u_progress: 'Say what has happened since the last update.' } };
  const chosen = values.u_status?.u_status?.selected_option?.value;
  const status = STATUSES.find((s) => s === chosen);
  const nextSteps = (values.u_next?.u_next?.value ?? '').trim();
  const eta = (values.u_eta?.u_eta?.value ?? '').trim();
  const errors = textErrors({ u_progress: progress, u_next: nextSteps, u_eta: eta });
  if (chosen && !status) errors.u_status = 'Choose a status from the list.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, progress, ...(status && { status }), ...(nextSteps && { nextSteps }), ...(eta && { eta }) };
}

/** Field errors for text that cannot be stored as typed, keyed by block_id; fields already in error keep theirs. */
function textErrors(fields: Record<string, string>, already: Record<string, string> = {}): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [block, text] of Object.entries(fields)) {
    const problem = unstorableText(text);
    if (problem && !already[block]) errors[block] = `This ${problem}.`;
  }
  return errors;
}
