import { APP_ID, BOT_ID, TEAM_ID } from '../workspace.js';
import { type Method, type MethodDeps, type MethodFamily, problemMessages, slackError } from './method.js';

/**
 * views.open, views.push and views.update: a trigger ID opens one view within
 * 3 s, shown to the person whose act issued it (views.open starts their stack,
 * views.push adds to it); views.update replaces an open view by `view_id` or
 * `external_id`, refusing a stale `hash`. Every view must pass `validation` as
 * a modal; the answer is the view with the IDs Slack gives it.
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
        hash: newHash(),
        app_id: APP_ID,
        bot_id: BOT_ID,
        root_view_id: null,
        previous_view_id: null,
      };
      const owner = workspace.triggerOwner(trigger);
      if (owner) workspace.modals.set(owner, [...(push ? (workspace.modals.get(owner) ?? []) : []), view]);
      return { ok: true, view };
    };
  const update: Method = (p) => {
    const open = [...workspace.modals.entries()].flatMap(([user, stack]) =>
      stack.map((view, at) => ({ user, at, view })),
    );
    const byId = typeof p.view_id === 'string' && p.view_id;
    const byExternal = typeof p.external_id === 'string' && p.external_id;
    if (!byId && !byExternal) return slackError('invalid_arguments');
    const found = open.find(({ view }) => (byId ? view.id === byId : view.external_id === byExternal));
    if (!found) return slackError('not_found');
    if (typeof p.hash === 'string' && p.hash !== found.view.hash) return slackError('hash_conflict');
    const problems = validation.modal(p.view);
    if (problems.length) return slackError('invalid_arguments', { response_metadata: problemMessages(problems) });
    const view = { ...found.view, ...(p.view as Record<string, unknown>), id: found.view.id, hash: newHash() };
    const stack = [...workspace.modals.get(found.user)!];
    stack[found.at] = view;
    workspace.modals.set(found.user, stack);
    return { ok: true, view };
  };
  return { 'views.open': show(false), 'views.push': show(true), 'views.update': update };
}

let hashes = 0;
/** A view's hash as Slack makes it: new on every change, so an update from a stale copy is refused. */
const newHash = () => `${Math.floor(Date.now() / 1000)}.${(++hashes).toString(36).padStart(8, '0')}`;
