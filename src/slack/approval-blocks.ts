import { clampText } from '../incident/incident.js';
import type { Preview, Run } from '../runbook/run.js';
import type { RunIncident } from '../runbook/run-notice.js';
import { type Block, context, esc, header, type SlackMessage, section } from './block-kit.js';
import { isUserId, listed, type Names, named, PING_REASONS, ping } from './mentions.js';
import { about, buttonValue, code, escCluster, incidentOf, stepLine, time } from './run-block-parts.js';

/** What a runbook card needs besides the run: names, and who may approve (the policy's approvers, groups included). */
export interface RunRenderContext {
  readonly names: Names;
  readonly approvers: readonly string[];
  /** Only listed approvers may approve: the IC alone is not asked. */
  readonly requireApprover: boolean;
}

/** `billing:3.2.0 → 3.1.0`: the second image's repository is left out when it is the first one's. */
function imageChange(from: string, to: string): string {
  const repo = (image: string) => image.slice(0, image.lastIndexOf(':') + 1);
  return repo(from) && repo(from) === repo(to) ? `${from} → ${to.slice(repo(to).length)}` : `${from} → ${to}`;
}

/** The question the card asks, as plain text: the action, its target and the change, from → to. */
export function approvalQuestion(p: Preview): string {
  const seen = p.binding.seen;
  const target = p.target;
  const first = p.lines[0] ?? '';
  switch (p.action) {
    case 'rollout-undo': {
      const from = seen.images?.[0];
      const to = seen.rollbackTo?.images[0];
      return `Approve rollback of ${target}?${from && to ? ` ${imageChange(from, to)}` : ''}`;
    }
    case 'rollout-restart':
      return `Approve restart of ${target}?`;
    case 'scale':
      return `Approve scaling ${target}? ${first}`;
    case 'pg-terminate':
      return `Approve ending ${seen.backends?.length ?? 'the listed'} database sessions on ${target}?`;
    default:
      return `Approve ${p.action} on ${target}? ${clampText(first, 80)}`;
  }
}

/** What approving does, in one sentence, for the confirm dialog. */
export function approvalConsequence(run: Run, p: Preview): string {
  const seen = p.binding.seen;
  const pods = seen.replicas === undefined ? 'the running pods' : `${seen.replicas} running pods`;
  switch (p.action) {
    case 'rollout-undo':
      return `Replaces ${pods} with ${seen.rollbackTo?.images.join(', ') ?? 'the previous revision'} now, one at a time.`;
    case 'rollout-restart':
      return `Replaces ${pods} of ${p.target} with fresh ones now, one at a time.`;
    case 'scale': {
      const to = /→\s*(\d+)/.exec(p.lines[0] ?? '')?.[1] ?? String(run.params.replicas ?? 'the new number of');
      return `Sets ${p.target} to ${to} replicas now.`;
    }
    case 'set-image':
    case 'set-env':
    case 'set-memory-limit':
      return `Replaces ${pods} of ${p.target} with the changed spec now, one at a time.`;
    case 'pg-terminate':
      return `Ends ${seen.backends?.length ?? 'the listed'} database sessions now; their open transactions roll back.`;
    default:
      return `Applies ${p.action} to ${p.target} now.`;
  }
}

/**
 * Who is asked to approve, each pinged: they must act now. The IC at the time of the
 * request (unless only listed approvers may approve) and the policy's approvers, user
 * groups included, never the requester (a second person approves); and, when a step is
 * asked again, whoever approved it before.
 */
export function approversToPing(run: Run, ctx: RunRenderContext): string[] {
  const asked = new Set([...(ctx.requireApprover ? [] : [run.commander]), ...ctx.approvers]);
  asked.delete(run.requestedBy);
  const again = run.preview?.replaces && run.decidedBy && isUserId(run.decidedBy) ? [run.decidedBy] : [];
  for (const a of again) asked.delete(a);
  return [
    ...again.map((a) => ping(a, PING_REASONS.askedAgain)),
    ...[...asked].map((a) => ping(a, PING_REASONS.approval)),
  ];
}

/**
 * The approval card a tired approver can trust: the header asks the question (action,
 * target, from → to), the approvers are pinged and the requester named; Approve asks
 * for a plain-text confirmation stating the consequence in one sentence (`danger`), and
 * Deny is a neutral button. Buttons carry accessibility labels.
 */
export function renderApproval(
  run: Run,
  title: string,
  p: Preview,
  ctx: RunRenderContext,
  incident?: RunIncident,
): SlackMessage {
  const question = approvalQuestion(p);
  /** The question without its change, for a screen reader: "Approve rollback of production/billing-api". */
  const asks = question.replace(/\?.*$/, '');
  const consequence = approvalConsequence(run, p);
  const asked = approversToPing(run, ctx);
  const requester = named(run.requestedBy, ctx.names);
  const expires = run.expiresAt ? time(run.expiresAt) : 'soon';
  const bound = p.binding.seen.backends
    ? 'The approval is for exactly these backends: each is ended only while it still runs the statement listed, and new matches need a new request.'
    : 'The approval is for this spec; if it changes first, nothing is applied and you are asked again.';
  const actions: Block = {
    type: 'actions',
    block_id: `run_${run.id}`,
    elements: [
      {
        type: 'button',
        action_id: 'runbook_approve',
        text: { type: 'plain_text', text: 'Approve' },
        style: 'primary',
        value: buttonValue(run, p),
        accessibility_label: clampText(asks, 75),
        confirm: {
          title: { type: 'plain_text', text: 'Run this step now?' },
          text: { type: 'plain_text', text: clampText(consequence, 300) },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Cancel' },
          style: 'danger',
        },
      },
      {
        type: 'button',
        action_id: 'runbook_deny',
        text: { type: 'plain_text', text: 'Deny' },
        value: buttonValue(run, p),
        accessibility_label: clampText(`Deny ${asks.replace(/^Approve /, '')}`, 75),
      },
    ],
  };
  return {
    text: `Approval needed: ${escCluster(question)} ${requester} asked (${run.id}) to run ${esc(title)} for ${incidentOf(run, incident)}; ${asked.length ? 'you are asked to approve or deny' : 'an approver decides'} by ${expires}.`,
    blocks: [
      header(`:warning: ${question}`),
      ...(p.replaces
        ? [section(`:arrows_counterclockwise: *New preview.* The earlier one was not run: ${escCluster(p.replaces)}.`)]
        : []),
      section(
        `${asked.length ? `${listed(asked)}: please approve or deny. ` : ''}Requested by ${requester}. ${escCluster(consequence)}`,
      ),
      ...code(`${stepLine(p)} (server dry run):\n`, p.lines),
      about(run, ctx.names),
      context(`Someone other than the requester approves. ${bound} Expires ${expires}.`),
      actions,
    ],
  };
}
