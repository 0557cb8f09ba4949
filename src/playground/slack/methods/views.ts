import { APP_ID, BOT_ID, TEAM_ID } from '../workspace.js';
import { type Method, type MethodDeps, type MethodFamily, problemMessages, slackError } from './method.js';

/**
 * views.open and views.push: a trigger ID opens one view within 3 s, and the
 * view must pass `validation` as a modal; the answer is the view with the IDs
 * Slack gives it.
 */
export function createViewMethods({ workspace, validation }: MethodDeps): MethodFamily {
  const show =
    (push: boolean): Method =>
    (p) => {
      const trigger = String(p.trigger_id ?? '');
      const refused = workspace.exchangeTrigger(trigger);
      if (refused) return slackError(refused);
      const problems = validation.modal(p.view);
      if (problems.length) return slackError('invalid_arguments', { response_metadata: problemMessages(problems) });
      const view = {
        ...(p.view as Record<string, unknown>),
        id: workspace.newId('V'),
        team_id: TEAM_ID,
        state: { values: {} },
        hash: `${Date.now()}.abc`,
        app_id: APP_ID,
        bot_id: BOT_ID,
        root_view_id: null,
        previous_view_id: null,
      };
      const owner = workspace.triggerOwner(trigger);
      if (owner) workspace.modals.set(owner, [...(push ? (workspace.modals.get(owner) ?? []) : []), view]);
      return { ok: true, view };
    };
  return { 'views.open': show(false), 'views.push': show(true) };
}
