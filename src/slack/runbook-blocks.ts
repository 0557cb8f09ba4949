import { clampText } from '../incident/incident.js';
import { describeParam } from '../runbook/params.js';
import { dataReachOf, type Playbook } from '../runbook/playbook.js';
import type { Run } from '../runbook/run.js';
import type { RunNotice } from '../runbook/run-notice.js';
import { type RunRenderContext, renderApproval } from './approval-blocks.js';
import { type Block, context, esc, header, type SlackMessage, section } from './block-kit.js';
import { NO_NAMES, named } from './mentions.js';
import { about, code, escCluster, incidentOf, runOf, stepLine, time } from './run-block-parts.js';

export type { RunRenderContext } from './approval-blocks.js';
export { buttonValue, escCluster, readButtonValue } from './run-block-parts.js';

/** ` (RUN-…) for INC-… (P1): title`: which run and incident the notice is about. */
const of = (n: RunNotice) => runOf(n.run, n.incident);

const NO_CONTEXT: RunRenderContext = { names: NO_NAMES, approvers: [], requireApprover: false };

/** The decision and what came of it, in one line. */
function verdictOf(run: Run, ctx: RunRenderContext): { word: string; line: string } {
  const who = (ref: string) => named(ref, ctx.names);
  const at = run.decidedAt ? ` at ${time(run.decidedAt)}` : '';
  const by = run.decidedBy ? `Approved by ${who(run.decidedBy)}${at}; ` : '';
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
      return { word: 'denied', line: `:no_entry: Denied by ${who(run.decidedBy ?? '')}${at}; nothing was changed.` };
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

function card(n: RunNotice & { kind: 'card' }, ctx: RunRenderContext): SlackMessage {
  const { run, title } = n;
  const p = run.preview;
  if (run.state === 'awaiting_approval' && p) return renderApproval(run, title, p, ctx, n.incident);
  const v = verdictOf(run, ctx);
  const finished = run.state === 'succeeded' || run.state === 'failed';
  const result = (run.outcome ?? '').split('\n').filter(Boolean);
  return {
    text: `${title}: ${v.word}${of(n)}.`,
    blocks: [
      header(`${clampText(title, 120)} · ${v.word}`),
      ...(p ? code(`${stepLine(p)}\n`, p.lines) : []),
      section(v.line),
      ...(finished ? code('*Result*\n', result.length ? result : ['(no output)']) : []),
      about(run, ctx.names),
    ],
  };
}

/** The approval card in each of its states, the card of a preview that was not run, progress and results. */
export function renderRun(n: RunNotice, ctx: RunRenderContext = NO_CONTEXT): SlackMessage {
  const run = n.run;
  const who = (ref: string) => named(ref, ctx.names);
  switch (n.kind) {
    case 'card':
      return card(n, ctx);
    case 'superseded':
      return {
        text: `${n.title}: not run${of(n)}. Why: ${escCluster(n.reason)}. A new preview follows.`,
        blocks: [
          header(`${clampText(n.title, 120)} · not run`),
          ...code(`${stepLine(n.preview)}\n`, n.preview.lines),
          section(
            `:arrows_counterclockwise: Not run: ${escCluster(n.reason)}. ${n.approvedBy ? `${who(n.approvedBy)} approved the preview above, but n` : 'N'}othing was applied; a new preview with its own buttons follows.`,
          ),
          about(run, ctx.names),
        ],
      };
    case 'applied':
      return {
        text: `${n.title}: step ${n.preview.step + 1} applied${of(n)}.`,
        blocks: [
          header(`${clampText(n.title, 120)} · step ${n.preview.step + 1} applied`),
          ...code(`${stepLine(n.preview)}\n`, n.preview.lines),
          section(
            `:white_check_mark: ${n.approvedBy ? `Approved by ${who(n.approvedBy)}; a` : 'A'}pplied: ${escCluster(n.message)}. The run goes on below.`,
          ),
          about(run, ctx.names),
        ],
      };
    case 'progress':
      return {
        text: `${n.title}: ${escCluster(n.lines.at(-1)?.trim() || 'in progress')}${of(n)}.`,
        blocks: [...code(`:hourglass_flowing_sand: *${esc(n.title)}*\n`, n.lines), about(run, ctx.names)],
      };
    case 'result':
      return {
        text: `${n.title}: ${n.ok ? 'succeeded' : 'failed'}${of(n)}.`,
        blocks: [
          ...code(
            `${n.ok ? ':white_check_mark:' : ':x:'} *${esc(n.title)}* ${n.ok ? 'finished' : 'failed'}\n`,
            n.lines.length ? n.lines : ['(no output)'],
          ),
          about(run, ctx.names),
        ],
      };
    case 'withdrawn':
      return {
        text: `${run.id} was withdrawn: the approval card could not be posted for ${incidentOf(run, n.incident)}. Nothing was changed; ask again when Slack answers.`,
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
