import { BOT_USER, TEAM_ID, type User } from '../workspace.js';
import { type MethodDeps, type MethodFamily, slackError } from './method.js';

/** users.info, users.lookupByEmail and usergroups.users.list: people by ID or email, and a user group's members. */
export function createUserMethods({ workspace }: MethodDeps): MethodFamily {
  const userJson = (user: User) => ({
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
      profile: { display_name: user.name, real_name: user.real_name, email: user.email },
    },
  });
  return {
    'users.info': (p) => {
      const user = workspace.users.get(String(p.user ?? ''));
      return user ? userJson(user) : slackError('user_not_found');
    },

    'users.lookupByEmail': (p) => {
      const user = [...workspace.users.values()].find((u) => u.email === String(p.email ?? ''));
      return user ? userJson(user) : slackError('users_not_found');
    },

    'usergroups.users.list': (p) => {
      const members = workspace.usergroups.get(String(p.usergroup ?? ''));
      return members ? { ok: true, users: members } : slackError('no_such_subteam');
    },
  };
}
