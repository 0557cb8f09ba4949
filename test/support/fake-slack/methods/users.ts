import { BOT_USER, TEAM_ID } from '../workspace.js';
import { type MethodDeps, type MethodFamily, slackError } from './method.js';

/** users.info and usergroups.users.list: people and the members of a user group, by ID. */
export function createUserMethods({ workspace }: MethodDeps): MethodFamily {
  return {
    'users.info': (p) => {
      const user = workspace.users.get(String(p.user ?? ''));
      if (!user) return slackError('user_not_found');
      return {
        ok: true,
        user: {
          id: user.id,
          team_id: TEAM_ID,
          name: user.name,
          real_name: user.real_name,
          tz: user.tz,
          tz_offset: user.tz_offset,
          is_bot: user.id === BOT_USER,
          deleted: false,
          profile: { display_name: user.name, real_name: user.real_name },
        },
      };
    },

    'usergroups.users.list': (p) => {
      const members = workspace.usergroups.get(String(p.usergroup ?? ''));
      return members ? { ok: true, users: members } : slackError('no_such_subteam');
    },
  };
}
