import { clampText } from '../incident/incident.js';
import type { Preview, Run } from '../runbook/run.js';
import type { RunIncident } from '../runbook/run-notice.js';
import { type Block, context, esc, section } from './block-kit.js';
import { type Names, named } from './mentions.js';
import { incidentLine } from './notice-blocks.js';

export { time } from './dates.js';

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
export function code(heading: string, lines: readonly string[]): Block[] {
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

/** ` (RUN-…) for INC-… (P1): title`: which run and incident a notification is about (the ID alone if it is gone). */
export const runOf = (run: Run, incident: RunIncident | undefined) => ` (${run.id}) for ${incidentOf(run, incident)}`;

/** `INC-… (P1): title`, the run's incident as a notification names it (its ID alone if it is gone). */
export const incidentOf = (run: Run, incident: RunIncident | undefined) =>
  incident ? incidentLine(incident) : run.incidentId;

/** The step's action and target, as a card's bold line. */
export const stepLine = (p: Preview) =>
  `*Step ${p.step + 1}: \`${escCluster(p.action)}\` on \`${escCluster(p.target)}\`*`;

/** The run's ID, playbook and parameters, and who asked for it, by name (asking is their own action: no ping). */
export function about(run: Run, names: Names): Block {
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return context(`${run.id} · \`${run.playbook}\` ${esc(params)} · requested by ${named(run.requestedBy, names)}`);
}
