import { clampText } from '../incident/incident.js';
import { describeParam } from '../runbook/params.js';
import { dataReachOf, type Playbook } from '../runbook/playbook.js';
import type { Preview, Run } from '../runbook/run.js';
import type { RunNotice } from '../runbook/run-notice.js';
import { type Block, context, esc, header, type SlackMessage, section } from './block-kit.js';
import { time } from './dates.js';

/**
 * Text from the cluster for a Slack message: `&`, `<` and `>` escaped (so nothing becomes a
 * mention or a link) and backticks replaced by a look-alike (so nothing closes a code block).
 */
export function escCluster(text: string): string {
  return esc(text).replace(/`/g, 'ˋ');
}

/** Code blocks a message may carry for one list of lines; past them, the rest is on the incident timeline. */
const MAX_CODE_SECTIONS = 8;

/**
 * `heading` and lines in code blocks, each line escaped: as many sections as the lines need (a
 * section holds 3,000 characters), at most `MAX_CODE_SECTIONS`, so a long table stays within Slack's limits.
 */
function code(heading: string, lines: readonly string[]): Block[] {
  const chunks: string[][] = [[]];
  let size = heading.length;
  for (const line of lines.map(escCluster)) {
    if (size + line.length > 2800 && chunks.at(-1)!.length) {
      chunks.push([]);
      size = 0;
    }
    chunks.at(-1)!.push(line);
    size += line.length + 1;
  }
  const shown = chunks.slice(0, MAX_CODE_SECTIONS);
  const left = chunks.slice(MAX_CODE_SECTIONS).flat().length;
  return shown.map((chunk, n) => {
    const block = `\`\`\`${clampText(chunk.join('\n') || ' ', 2900 - heading.length)}\`\`\``;
    const tail = n === shown.length - 1 && left ? `\n_…and ${left} more lines on the incident timeline._` : '';
    return section(`${n === 0 ? heading : ''}${block}${tail}`);
  });
}

/** What the Approve and Deny buttons carry: the run and the preview they were shown with. */
export const buttonValue = (run: Pick<Run, 'id'>, preview: Pick<Preview, 'token'>) => `${run.id}.${preview.token}`;

/** Reads a button's value back; undefined when it is not one of ours. */
export function readButtonValue(value: string): { runId: string; token: string } | undefined {
  const m = /^(RUN-[0-9A-F]{8})\.([0-9a-f]{1,64})$/.exec(value);
  return m ? { runId: m[1]!, token: m[2]! } : undefined;
}

const stepLine = (p: Preview) => `*Step ${p.step + 1}: \`${escCluster(p.action)}\` on \`${escCluster(p.target)}\`*`;

function approval(run: Run, title: string, p: Preview): SlackMessage {
  return {
    text: `Approval needed: ${title} on ${p.target}`,
    blocks: [
      header(`:warning: Approval needed · ${clampText(title, 100)}`),
      ...(p.replaces
        ? [section(`:arrows_counterclockwise: *New preview.* The earlier one was not run: ${escCluster(p.replaces)}.`)]
        : []),
      ...code(`${stepLine(p)} (server dry run):\n`, p.lines),
      about(run),
      context(
        `Someone other than the requester approves: the IC at the time of the request (<@${run.commander}>) or an approver. ${p.binding.seen.backends ? 'The approval is for exactly these backends: each is ended only while it still runs the statement listed, and new matches need a new request.' : 'The approval is for this spec; if it changes first, nothing is applied and you are asked again.'} Expires ${run.expiresAt ? time(run.expiresAt) : 'soon'}.`,
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
            value: buttonValue(run, p),
            confirm: {
              title: { type: 'plain_text', text: 'Run this step?' },
              text: {
                type: 'mrkdwn',
                text: clampText(escCluster(`${p.action} on ${p.target}:\n${p.lines.join('\n')}`), 300),
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
            value: buttonValue(run, p),
          },
        ],
      },
    ],
  };
}

function about(run: Run): Block {
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return context(`${run.id} · \`${run.playbook}\` ${esc(params)} · requested by <@${run.requestedBy}>`);
}

/** The decision and what came of it, in one line. */
function verdictOf(run: Run): { word: string; line: string } {
  const at = run.decidedAt ? ` at ${time(run.decidedAt)}` : '';
  const by = run.decidedBy ? `Approved by <@${run.decidedBy}>${at}; ` : '';
  const outcome = escCluster(run.outcome ?? '');
  switch (run.state) {
    case 'approved':
    case 'running':
      return { word: 'approved', line: `:white_check_mark: ${by}running…` };
    case 'succeeded':
      return { word: 'approved', line: `:white_check_mark: ${by}succeeded.` };
    case 'failed':
      return { word: 'approved', line: `:x: ${by}failed.` };
    case 'denied':
      return { word: 'denied', line: `:no_entry: Denied by <@${run.decidedBy}>${at}; nothing was changed.` };
    case 'expired':
      return {
        word: 'expired',
        line: run.outcome
          ? `:hourglass: Expired before it ran: ${outcome} Nothing was changed.`
          : ':hourglass: Expired without a decision; nothing was changed.',
      };
    case 'interrupted':
      return { word: 'interrupted', line: `:warning: ${by}${outcome}` };
    default:
      return { word: run.state, line: `:no_entry_sign: Withdrawn: ${outcome}; nothing was changed.` };
  }
}

function card(run: Run, title: string): SlackMessage {
  const p = run.preview;
  if (run.state === 'awaiting_approval' && p) return approval(run, title, p);
  const v = verdictOf(run);
  const finished = run.state === 'succeeded' || run.state === 'failed';
  const result = (run.outcome ?? '').split('\n').filter(Boolean);
  return {
    text: `${title}: ${v.word}`,
    blocks: [
      header(`${clampText(title, 120)} · ${v.word}`),
      ...(p ? code(`${stepLine(p)}\n`, p.lines) : []),
      section(v.line),
      ...(finished ? code('*Result*\n', result.length ? result : ['(no output)']) : []),
      about(run),
    ],
  };
}

/** The approval card in each of its states, the card of a preview that was not run, progress and results. */
export function renderRun(n: RunNotice): SlackMessage {
  const run = n.run;
  switch (n.kind) {
    case 'card':
      return card(run, n.title);
    case 'superseded':
      return {
        text: `${n.title}: not run`,
        blocks: [
          header(`${clampText(n.title, 120)} · not run`),
          ...code(`${stepLine(n.preview)}\n`, n.preview.lines),
          section(
            `:arrows_counterclockwise: Not run: ${escCluster(n.reason)}. ${n.approvedBy ? `<@${n.approvedBy}> approved the preview above, but n` : 'N'}othing was applied; a new preview with its own buttons follows.`,
          ),
          about(run),
        ],
      };
    case 'applied':
      return {
        text: `${n.title}: step ${n.preview.step + 1} applied`,
        blocks: [
          header(`${clampText(n.title, 120)} · step ${n.preview.step + 1} applied`),
          ...code(`${stepLine(n.preview)}\n`, n.preview.lines),
          section(
            `:white_check_mark: ${n.approvedBy ? `Approved by <@${n.approvedBy}>; a` : 'A'}pplied: ${escCluster(n.message)}. The run goes on below.`,
          ),
          about(run),
        ],
      };
    case 'progress':
      return {
        text: `${n.title}: ${n.lines.at(-1) ?? ''}`,
        blocks: [...code(`:hourglass_flowing_sand: *${esc(n.title)}*\n`, n.lines), about(run)],
      };
    case 'result':
      return {
        text: `${n.title}: ${n.ok ? 'succeeded' : 'failed'}`,
        blocks: [
          ...code(
            `${n.ok ? ':white_check_mark:' : ':x:'} *${esc(n.title)}* ${n.ok ? 'finished' : 'failed'}\n`,
            n.lines.length ? n.lines : ['(no output)'],
          ),
          about(run),
        ],
      };
    case 'withdrawn':
      return {
        text: `${run.id} was withdrawn: the approval card could not be posted`,
        blocks: [
          section(
            `:no_entry_sign: Your request ${run.id} (*${esc(n.title)}* on \`${escCluster(run.target)}\`) was withdrawn: ${escCluster(n.reason)}. Nothing was changed and ${escCluster(run.target)} is free; ask again with \`/incident run ${run.playbook}\` when Slack answers.`,
          ),
        ],
      };
  }
}

/** Where a playbook acts: its namespaces, and the databases and caches it names. */
function reachOfBook(pb: Playbook): string {
  const data = dataReachOf(pb);
  const names = (kind: string) => [...new Set(data.filter((d) => d.kind === kind).map((d) => d.name))].join(', ');
  return [
    pb.namespaces.length ? ` · namespaces ${pb.namespaces.join(', ')}` : '',
    names('database') ? ` · databases ${names('database')}` : '',
    names('redis') ? ` · redis ${names('redis')}` : '',
  ].join('');
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
        `*\`${pb.id}\`*: ${esc(pb.title)}\n${esc(clampText(pb.description, 300))}\n${params || 'no parameters'} · severities ${pb.severities.join(', ')}${reachOfBook(pb)}`,
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
