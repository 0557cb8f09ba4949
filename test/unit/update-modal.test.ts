import { describe, expect, it } from '@jest/globals';
import { readUpdateModal } from '../../src/slack/views.js';

const form = (status: string | null) => ({
  u_status: { u_status: { type: 'static_select', selected_option: status === null ? null : { value: status } } },
  u_progress: { u_progress: { type: 'plain_text_input', value: 'purged the cache' } },
  u_next: { u_next: { type: 'plain_text_input', value: null } },
  u_eta: { u_eta: { type: 'plain_text_input', value: null } },
});

describe('the update form', () => {
  it('posts the status the responder chose from the list', () => {
    expect(readUpdateModal(form('identified'))).toEqual({
      ok: true,
      status: 'identified',
      progress: 'purged the cache',
    });
  });

  it('keeps the status as it is when none is chosen', () => {
    expect(readUpdateModal(form(null))).toEqual({ ok: true, progress: 'purged the cache' });
  });

  it('asks for a status from the list when the submitted one is not an incident status', () => {
    expect(readUpdateModal(form('fixed-ish'))).toEqual({
      ok: false,
      errors: { u_status: 'Choose a status from the list.' },
    });
  });
});
