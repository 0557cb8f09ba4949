import { clampText } from '../incident/incident.js';
import { describeParam } from '../runbook/guard.js';
import type { Playbook } from '../runbook/playbook.js';
import type { RunNotice } from '../runbook/ports.js';
import { type Block, context, esc, header, type SlackMessage, section } from './blocks.js';

const time = (d: Date) => `<!date^${Math.floor(d.getTime() / 1000)}^{time}|${d.toISOString().slice(11, 16)} UTC>`;
const code = (lines: readonly string[]) => `\`\`\`${clampText(lines.join('\n'), 2900)}\`\`\``;

/** The approval card, its decided form, progress and results of a runbook run. */
export function renderRun(n: RunNotice): SlackMessage {
  const run = n.run;
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const about = context(`${run.id} · \`${run.playbook}\` ${esc(params)} · requested by <@${run.requestedBy}>`);
  switch (n.kind) {
    case 'approval':
      return {
        text: `Approval needed: ${n.title} on ${n.preview.target}`,
        blocks: [
          header(`:warning: Approval needed · ${clampText(n.title, 100)}`),
          section(
            `*Step ${n.preview.step + 1}: \`${n.preview.action}\` on \`${n.preview.target}\`* (server dry run):\n${code(n.preview.lines)}`,
          ),
          about,
          context(
            `Someone other than the requester approves: the IC or an approver. Expires ${run.expiresAt ? time(run.expiresAt) : 'soon'}.`,
          ),
          {
            type: 'actions',
            block_id: `run_${run.id}`,
            elements: [
              {
                type: 'button',
                action_id: 'runbook_approve',
                text: { type: 'plain_text', text: 'Approve' },
                style: 'primary',
                value: run.id,
                confirm: {
                  title: { type: 'plain_text', text: 'Run this step?' },
                  text: {
                    type: 'mrkdwn',
                    text: clampText(`${n.preview.action} on ${n.preview.target}:\n${n.preview.lines.join('\n')}`, 300),
                  },
                  confirm: { type: 'plain_text', text: 'Approve' },
                  deny: { type: 'plain_text', text: 'Cancel' },
                },
              },
              {
                type: 'button',
                action_id: 'runbook_deny',
                text: { type: 'plain_text', text: 'Deny' },
                style: 'danger',
                value: run.id,
              },
            ],
          },
        ],
      };
    case 'decided': {
      const verdict =
        n.verdict === 'approved'
          ? `:white_check_mark: Approved by <@${n.by}>${run.decidedAt ? ` at ${time(run.decidedAt)}` : ''}; ${n.result ? (n.result.ok ? 'succeeded.' : 'failed.') : 'running…'}`
          : n.verdict === 'denied'
            ? `:no_entry: Denied by <@${n.by}>${run.decidedAt ? ` at ${time(run.decidedAt)}` : ''}; nothing was changed.`
            : ':hourglass: Expired without a decision; nothing was changed.';
      return {
        text: `${n.title}: ${n.verdict}`,
        blocks: [
          header(`${clampText(n.title, 120)} · ${n.verdict}`),
          section(
            `*Step ${n.preview.step + 1}: \`${n.preview.action}\` on \`${n.preview.target}\`*\n${code(n.preview.lines)}`,
          ),
          section(verdict),
          ...(n.result ? [section(`*Result*\n${code(n.result.lines.length ? n.result.lines : ['(no output)'])}`)] : []),
          about,
        ],
      };
    }
    case 'progress':
      return {
        text: `${n.title}: ${n.lines.at(-1) ?? ''}`,
        blocks: [section(`:hourglass_flowing_sand: *${esc(n.title)}*\n${code(n.lines)}`), about],
      };
    case 'result':
      return {
        text: `${n.title}: ${n.ok ? 'succeeded' : 'failed'}`,
        blocks: [
          section(
            `${n.ok ? ':white_check_mark:' : ':x:'} *${esc(n.title)}* ${n.ok ? 'finished' : 'failed'}\n${code(n.lines.length ? n.lines : ['(no output)'])}`,
          ),
          about,
        ],
      };
  }
}

/** `/incident playbooks`. */
export function renderPlaybooks(books: readonly Playbook[]): SlackMessage {
  const blocks: Block[] = [header('Playbooks')];
  for (const pb of books.slice(0, 20)) {
    const params = Object.entries(pb.params)
      .map(([k, p]) => `\`${k}\` ${describeParam(p)}${p.default !== undefined ? ` (default ${p.default})` : ''}`)
      .join('; ');
    blocks.push(
      section(
        `*\`${pb.id}\`*: ${esc(pb.title)}\n${esc(clampText(pb.description, 300))}\n${params || 'no parameters'} · severities ${pb.severities.join(', ')} · namespaces ${pb.namespaces.join(', ')}`,
      ),
    );
  }
  blocks.push(
    context(
      'Run one with `/incident run <playbook> key=value …`; every change is dry-run first and needs a second person to approve.',
    ),
  );
  return { text: `${books.length} playbooks`, blocks };
}
