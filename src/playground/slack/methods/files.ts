import { BOT_ID, BOT_USER } from '../workspace.js';
import { jsonParam, type MethodDeps, type MethodFamily, slackError } from './method.js';

/**
 * files.getUploadURLExternal and files.completeUploadExternal, the two steps
 * of `uploadV2`: the first hands out an upload URL for a named length of
 * bytes (the upload sink receives them), the second shares the files whose
 * bytes arrived, in a channel the bot is in when `channel_id` is given.
 */
export function createFileMethods({ workspace, baseUrl }: MethodDeps): MethodFamily {
  return {
    'files.getUploadURLExternal': (p) => {
      const length = Number(p.length);
      if (typeof p.filename !== 'string' || !p.filename) return slackError('invalid_arguments');
      if (!Number.isInteger(length) || length <= 0) return slackError('invalid_arguments');
      const id = workspace.newId('F');
      workspace.files.set(id, { filename: p.filename, length, completed: false });
      return { ok: true, upload_url: `${baseUrl()}/upload/${id}`, file_id: id };
    },

    'files.completeUploadExternal': (p) => {
      const list = jsonParam(p.files) as { id: string; title?: string }[] | undefined;
      if (!Array.isArray(list) || !list.length) return slackError('invalid_arguments');
      const target = p.channel_id === undefined ? undefined : workspace.channelFor(p.channel_id, false);
      if (p.channel_id !== undefined && !target) return slackError('channel_not_found');
      if (target && !target.members.has(BOT_USER)) return slackError('not_in_channel');
      const done = [];
      for (const item of list) {
        const file = workspace.files.get(item.id);
        if (!file || file.completed) return slackError('file_not_found');
        if (file.content === undefined) return slackError('file_upload_incomplete');
        file.completed = true;
        file.title = item.title ?? file.filename;
        const now = Math.floor(Date.now() / 1000);
        if (target) {
          file.channel = target.id;
          const comment = String(p.initial_comment ?? '');
          workspace.append(target, {
            ts: workspace.newTs(),
            receivedAt: Date.now(),
            text: comment,
            user: BOT_USER,
            bot_id: BOT_ID,
            files: [item.id],
          });
        }
        done.push({
          id: item.id,
          title: file.title,
          name: file.filename,
          created: now,
          timestamp: now,
          mimetype: 'text/markdown',
          filetype: 'markdown',
          pretty_type: 'Markdown',
          user: BOT_USER,
          size: file.length,
          is_external: false,
          is_public: !!target,
          url_private: `${baseUrl()}/files-pri/${item.id}`,
          permalink: `https://firebreak-test.slack.com/files/${BOT_USER}/${item.id}`,
        });
      }
      return { ok: true, files: done };
    },
  };
}
