/** The pure guards of a run: what a request may ask for, and who may approve or deny it. */
import { UserError } from '../errors.js';
import { formatDuration } from '../incident/duration.js';
import { filterOf, type TerminateStep } from './backend-filter.js';
import type { Playbook } from './playbook.js';
import { reaches } from './playbook-schema.js';
import { healthPlaybook, renderStep, targetOf } from './template.js';

/** What the guard knows about a request. */
export interface RequestFacts {
  readonly playbook: Playbook;
  readonly params: Readonly<Record<string, string | number>>;
  readonly severity: string;
  readonly incidentOpen: boolean;
  /** When the last mutating run on one of the same targets finished, if any. */
  readonly lastFinishedAt: Date | null;
  /** That target, when it is not the run's first. */
  readonly lastFinishedTarget?: string;
  readonly defaultCooldownMs: number;
  readonly now: Date;
}

/** Why the incident no longer allows the playbook (resolved, or a severity it does not run for); undefined when it does. */
export function incidentBlocks(pb: Playbook, incident: { status: string; severity: string }): string | undefined {
  if (incident.status === 'resolved') return 'The incident is resolved; runbooks run only for open incidents.';
  if (!pb.severities.includes(incident.severity))
    return `${pb.id} may run only for ${pb.severities.join(', ')} incidents; this one is ${incident.severity}.`;
  return undefined;
}

type RenderedStep = ReturnType<typeof renderStep>;

/** Why the playbook's allowlists (as loaded now) do not cover `step` as rendered; undefined when they do. */
export function outsideAllowlist(pb: Playbook, step: RenderedStep): string | undefined {
  if (reaches(step.action) !== 'cluster') return undefined;
  const s = step as { namespace: string; deployment?: string };
  if (!pb.namespaces.includes(s.namespace))
    return `Namespace ${s.namespace} is outside ${pb.id}'s allowlist (${pb.namespaces.join(', ')}).`;
  const allowed = pb.deployments?.[s.namespace];
  if (pb.deployments && s.deployment !== undefined && !allowed?.includes(s.deployment))
    return `${s.namespace}/${s.deployment} is outside ${pb.id}'s allowlist; in ${s.namespace} it may act on ${allowed?.join(', ') ?? 'nothing'}.`;
  return undefined;
}

/** What is checked again just before an approved step is applied, by whichever process applies it. */
export interface ExecutionFacts {
  readonly playbook: Playbook;
  /** The step as it will be applied. */
  readonly step: RenderedStep;
  readonly incident: { status: string; severity: string } | undefined;
  readonly decidedAt: Date | null;
  readonly now: Date;
  /** How long an approval holds: a step not applied by then (a crash, an outage) is asked for again. */
  readonly approvalTtlMs: number;
}

/**
 * Why an approved step may not be applied now, undefined when it may: the incident (open, a
 * severity the playbook runs for), the allowlists as loaded now, and the approval's age.
 */
export function executionBlocks(f: ExecutionFacts): string | undefined {
  if (!f.incident) return 'The incident no longer exists.';
  const blocked = incidentBlocks(f.playbook, f.incident) ?? outsideAllowlist(f.playbook, f.step);
  if (blocked) return blocked;
  const age = f.decidedAt ? f.now.getTime() - f.decidedAt.getTime() : 0;
  if (age > f.approvalTtlMs)
    return `The approval is ${formatDuration(age)} old, past the ${formatDuration(f.approvalTtlMs)} an approval holds; request the run again for a fresh preview.`;
  return undefined;
}

/** Refuses a request before anything reaches the cluster: severity, allowlists, cooldown. */
export function checkRequest(f: RequestFacts): void {
  const pb = f.playbook;
  const blocked = incidentBlocks(pb, { status: f.incidentOpen ? 'open' : 'resolved', severity: f.severity });
  if (blocked) throw new UserError(f.incidentOpen ? 'not_allowed' : 'conflict', blocked);
  for (const step of pb.steps) {
    const rendered = renderStep(step, f.params);
    // A terminate filter is read now, so a bad duration or an unbounded filter is refused before anything runs.
    if (rendered.action === 'pg-terminate') filterOf(rendered as TerminateStep);
    const outside = outsideAllowlist(pb, rendered);
    if (outside) throw new UserError('not_allowed', outside);
  }
  const cooldown = pb.cooldownMs ?? f.defaultCooldownMs;
  if (f.lastFinishedAt && f.now.getTime() - f.lastFinishedAt.getTime() < cooldown) {
    const target = f.lastFinishedTarget ?? targetOf(pb, f.params);
    const left = Math.ceil((cooldown - (f.now.getTime() - f.lastFinishedAt.getTime())) / 60_000);
    throw new UserError(
      'conflict',
      `${target} was changed by a runbook ${Math.round((f.now.getTime() - f.lastFinishedAt.getTime()) / 60_000)} min ago; the cooldown has ${left} min to go. Check its health with \`/incident run ${healthPlaybook(target)}\` meanwhile.`,
    );
  }
}

/** What the guard knows at click time; none of it comes from the button. */
export interface ApprovalFacts {
  readonly actor: string;
  readonly requestedBy: string;
  /** The incident commander when the run was requested: the one who may approve it. */
  readonly commanderAtRequest: string;
  /** The incident commander now: may deny, never approve, a run requested before. */
  readonly commanderNow: string;
  readonly approvers: ReadonlySet<string>;
  /** The policy lets only listed approvers approve changes (`approvals.requireApprover`). */
  readonly requireApprover: boolean;
  readonly state: string;
  readonly decidedBy: string | null;
  readonly expiresAt: Date | null;
  readonly now: Date;
}

/** The two-person rule, checked on the server when Approve (or Deny) is clicked. */
export function checkApproval(f: ApprovalFacts, verb: 'approve' | 'deny'): void {
  if (f.state !== 'awaiting_approval') {
    throw new UserError(
      'conflict',
      f.decidedBy
        ? `This request was already decided by ${f.decidedBy} (${f.state.replace('_', ' ')}).`
        : `This request is ${f.state.replace('_', ' ')}; nothing to ${verb}.`,
    );
  }
  if (f.expiresAt && f.now > f.expiresAt)
    throw new UserError('conflict', 'This approval request expired. Ask for the run again to get a fresh preview.');
  const approver = f.approvers.has(f.actor);
  if (verb === 'deny') {
    if (approver || [f.requestedBy, f.commanderAtRequest, f.commanderNow].includes(f.actor)) return;
    throw new UserError(
      'not_allowed',
      `Only the requester (${f.requestedBy}), the incident commander or a listed approver can deny this run.`,
    );
  }
  if (f.actor === f.requestedBy)
    throw new UserError(
      'not_allowed',
      'You requested this run, so someone else must approve it: the IC or an approver.',
    );
  if (approver) return;
  if (f.requireApprover)
    throw new UserError(
      'not_allowed',
      'Only a listed approver can approve changes to the cluster under this policy (approvals.requireApprover).',
    );
  if (f.actor === f.commanderAtRequest) return;
  if (f.actor === f.commanderNow)
    throw new UserError(
      'not_allowed',
      `You became incident commander after this run was requested; it stays with the IC at the time (${f.commanderAtRequest}) or a listed approver.`,
    );
  throw new UserError(
    'not_allowed',
    `Only the incident commander (${f.commanderAtRequest}) or a listed approver can approve runbook steps.`,
  );
}
