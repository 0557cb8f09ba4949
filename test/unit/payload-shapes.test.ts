import { describe, expect, it } from '@jest/globals';
import { payloadProblem } from '../../src/slack/payload-shapes.js';

const FORM = 'application/x-www-form-urlencoded';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const payload = (value: unknown) => form({ payload: JSON.stringify(value) });
const user = { id: 'U0DECLARER' };
const view = {
  id: 'V0123456789',
  callback_id: 'declare_incident',
  private_metadata: '{}',
  state: { values: { title: { title: { type: 'plain_text_input', value: 'Checkout down' } } } },
};

describe('signed Slack bodies of a shape Slack never sends', () => {
  it.each([
    ['payload=null', form({ payload: 'null' }), 'the body'],
    ['a payload that is a string', payload('hello'), 'the body'],
    ['a payload with no type', payload({ user }), 'type'],
    ['an unknown payload type', payload({ type: 'surprise', user }), 'type'],
    ['a view submission without a view', payload({ type: 'view_submission', user }), 'view'],
    [
      'a view submission without state',
      payload({ type: 'view_submission', user, view: { ...view, state: undefined } }),
      'view.state',
    ],
    [
      'a number where modal text goes',
      payload({
        type: 'view_submission',
        user,
        view: { ...view, state: { values: { title: { title: { value: 42 } } } } },
      }),
      'view.state.values.title.title.value',
    ],
    [
      'an object where a select option value goes',
      payload({
        type: 'view_submission',
        user,
        view: { ...view, state: { values: { severity: { severity: { selected_option: { value: {} } } } } } },
      }),
      'selected_option.value',
    ],
    ['block actions without actions', payload({ type: 'block_actions', user, actions: [] }), 'actions'],
    [
      'a command whose text field is repeated',
      'command=%2Fincident&text=a&text=b&user_id=U1&channel_id=C1&trigger_id=t&response_url=u',
      'text',
    ],
    [
      'a command without user_id',
      form({ command: '/incident', text: 'list', channel_id: 'C1', trigger_id: 't', response_url: 'u' }),
      'user_id',
    ],
  ])('%s is named as the problem', (_case, body, where) => {
    expect(payloadProblem(FORM, body)).toContain(where);
  });

  it.each([
    ['JSON null', 'null'],
    ['an event callback without an event', JSON.stringify({ type: 'event_callback' })],
    ['a JSON array', '[]'],
    ['text that is not JSON', 'hello'],
  ])('%s as an Events API body is refused', (_case, body) => {
    expect(payloadProblem('application/json', body)).toBeDefined();
  });

  it('lets through what Slack does send', () => {
    expect(payloadProblem(FORM, payload({ type: 'view_submission', user, view }))).toBeUndefined();
    expect(
      payloadProblem(
        FORM,
        payload({ type: 'block_actions', user, actions: [{ action_id: 'ack_incident', value: 'x' }] }),
      ),
    ).toBeUndefined();
    expect(
      payloadProblem(
        FORM,
        form({ command: '/incident', text: '', user_id: 'U1', channel_id: 'C1', trigger_id: 't', response_url: 'u' }),
      ),
    ).toBeUndefined();
    expect(payloadProblem(FORM, 'ssl_check=1&token=x')).toBeUndefined();
    expect(
      payloadProblem('application/json', JSON.stringify({ type: 'event_callback', event: { type: 'message' } })),
    ).toBeUndefined();
    expect(
      payloadProblem('application/json', JSON.stringify({ type: 'url_verification', challenge: 'c' })),
    ).toBeUndefined();
  });
});
