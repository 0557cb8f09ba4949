import type { App } from '@slack/bolt';
import { type Command, parseCommand } from '../incident/command.js';
import { usage } from '../incident/command-usage.js';
import type { Paging } from '../incident/paging.js';
import type { Policy } from '../incident/policy.js';
import type { Directory } from '../incident/ports.js';
import type { Postmortems } from '../incident/postmortem.js';
import type { RecordService } from '../incident/record-service.js';
import type { CommandContext } from '../incident/requests.js';
import type { IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import { type SlackMessage, simple } from './block-kit.js';
import { renderList } from './blocks.js';
import { date, time, timeSecs } from './dates.js';
import { onFailure } from './error-funnel.js';
import type { Limit } from './limiter.js';
import { mentionedUser } from './mentions.js';
import { renderOnCall } from './paging-blocks.js';
import { renderFollowups, renderPostmortem, renderStats, renderTimeline } from './record-blocks.js';
import { replyForDeclared, replyForError, replyForOutcome } from './replies.js';
import { renderPlaybooks } from './runbook-blocks.js';
import { declareModal } from './views.js';

export interface CommandDeps {
  readonly service: IncidentService;
  readonly record: RecordService;
  readonly postmortems: Postmortems;
  readonly directory: Directory;
  readonly policy: Policy;
  readonly log: Logger;
  /** Observes how long each command took to handle, by verb. */
  readonly observe?: (verb: string, seconds: number) => void;
  /** Bounds the work done after acks. */
  readonly limit: Limit;
  readonly runbooks: Runbooks;
  readonly paging: Paging;
}

/** How long a command waits for the typist's display name before using their handle. */
const NAME_WAIT_MS = 300;

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, ...m });

/** What `/incident run` tells the requester: the truth about the run and its approval card. */
function runReply({ run, duplicate, card }: Awaited<ReturnType<Runbooks['request']>>): string {
  const where = run.channel ? `<#${run.channel}>` : 'the war room';
  const again = duplicate ? ' (this was a repeated delivery of your command; nothing new was started)' : '';
  if (run.state === 'withdrawn')
    return `:warning: ${run.id} was withdrawn: ${run.outcome ?? 'the approval card could not be posted'}. Nothing was changed; ask again once Slack answers.${again}`;
  if (run.state !== 'awaiting_approval') return `${run.id} ${run.state}; the results are in ${where}.${again}`;
  if (card.kind === 'retrying')
    return `:warning: ${run.id}: the dry run is done, but Slack refused the approval card (\`${card.code}\`). I keep trying to post it in ${where} (next at ${timeSecs(card.at)}); the request expires at ${run.expiresAt ? time(run.expiresAt) : 'its deadline'} if it never gets there. Nothing is changed before someone approves.${again}`;
  return `${run.id}: the dry run is posted in ${where}; someone other than you (the IC or an approver) must approve it.${again}`;
}

/**
 * `/incident`: acks at once (Slack drops commands not acked within 3 s),
 * answers bad usage in the ack itself, and does the work after it.
 */
export function registerCommands(app: App, deps: CommandDeps): void {
  const { service, record, directory, policy, log } = deps;
  const levels = policy.severities.map((s) => s.level);

  /** The typist's display name if Slack answers quickly, else the handle Slack sent: recording never waits on Slack. */
  function nameOf(userId: string, handle: string): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fallback = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(handle), NAME_WAIT_MS);
    });
    return Promise.race([directory.displayName(userId).catch(() => handle), fallback]).finally(() =>
      clearTimeout(timer),
    );
  }

  async function execute(cmd: Exclude<Command, { verb: 'help' }>, ctx: CommandContext): Promise<SlackMessage> {
    switch (cmd.verb) {
      case 'list':
        return renderList(await service.list(), 0, policy);
      case 'declare': {
        if (cmd.form !== 'inline') throw new Error('modal declare is handled before execute');
        const o = await service.declare({ severity: cmd.severity, title: cmd.title, drill: cmd.drill }, ctx);
        return replyForDeclared(o);
      }
      case 'status': {
        const o = await service.setStatus(cmd, cmd.status, cmd.text, ctx);
        return replyForOutcome(`${o.incident.id} is now *${o.incident.status}*.`, o);
      }
      case 'update': {
        const o = await service.postUpdate(cmd, cmd, ctx);
        return replyForOutcome(`Update posted for ${o.incident.id}.`, o);
      }
      case 'severity': {
        const o = await service.setSeverity(cmd, cmd.severity, ctx);
        const room = o.incident.channelId ? ` War room: <#${o.incident.channelId}>.` : '';
        return replyForOutcome(`${o.incident.id} is now *${o.incident.severity}*.${room}`, o);
      }
      case 'role': {
        const o = await service.assignRole(cmd, cmd.role, cmd.userId, ctx);
        return replyForOutcome(`<@${cmd.userId}> is now ${cmd.role} of ${o.incident.id}.`, o);
      }
      case 'snooze': {
        const o = await service.snooze(cmd, cmd.ms, ctx);
        return replyForOutcome(
          `Update clock of ${o.incident.id} snoozed; next update due ${o.incident.nextUpdateDue ? time(o.incident.nextUpdateDue) : 'when it is set again'}.`,
          o,
        );
      }
      case 'ack': {
        const o = await service.acknowledge(cmd, ctx);
        return replyForOutcome(`${o.incident.id} acknowledged; escalation stopped.`, o);
      }
      case 'page': {
        const o = await deps.paging.page(cmd, cmd.target, cmd.message, ctx);
        const whom = 'userId' in cmd.target ? `<@${cmd.target.userId}>` : `*${cmd.target.service}*`;
        return replyForOutcome(
          `Paging ${whom} for ${o.incident.id} through PagerDuty; the timeline records when it goes out.`,
          o,
        );
      }
      case 'oncall': {
        const { title, rows } = await deps.paging.onCall(cmd.service);
        return renderOnCall(title, rows);
      }
      case 'resolve': {
        const o = await service.resolve(cmd, cmd.text, ctx);
        return replyForOutcome(
          `${o.incident.id} is resolved. \`/incident postmortem ${o.incident.id}\` builds the report draft.`,
          o,
        );
      }
      case 'note': {
        const i = await record.note(cmd, cmd.text, ctx);
        return simple(`Noted on the timeline of ${i.id}.`);
      }
      case 'timeline':
        return renderTimeline(await record.timeline(cmd, { page: cmd.page }, ctx));
      case 'followup': {
        const { incident, followup } = await record.followup(cmd, cmd, ctx);
        return simple(
          `Follow-up recorded for ${incident.id}: ${followup.text}${followup.owner ? ` (owner <@${followup.owner}>)` : ''}${followup.due ? `, due ${followup.due}` : ''}.`,
        );
      }
      case 'followups':
        return renderFollowups(await record.followups(cmd, ctx));
      case 'postmortem':
        return renderPostmortem(await deps.postmortems.generate(cmd, ctx));
      case 'started': {
        const i = await record.started(cmd, cmd.when, ctx);
        return simple(`Impact start of ${i.id} set to ${date(i.impactStartedAt!)}.`);
      }
      case 'stats':
        return renderStats(await record.stats(cmd.windowMs), cmd.windowMs);
      case 'playbooks':
        return renderPlaybooks(deps.runbooks.list());
      case 'run': {
        const incident = await service.find(cmd, ctx);
        const r = await deps.runbooks.request(incident, cmd.playbook, cmd.args, ctx.actor.userId, ctx.idempotencyKey);
        return simple(runReply(r));
      }
    }
  }

  app.command('/incident', async ({ command, ack, respond, client, context }) => {
    let cmd: Command;
    try {
      cmd = parseCommand(command.text ?? '', levels, mentionedUser);
    } catch (err) {
      await ack(ephemeral(replyForError(err, log, { user: command.user_id })));
      return;
    }
    if (cmd.verb === 'help') {
      await ack(ephemeral(simple(usage(levels))));
      return;
    }
    await ack();
    const started = performance.now();
    const fields = { user: command.user_id, verb: cmd.verb, ...('id' in cmd && cmd.id && { incidentId: cmd.id }) };
    onFailure(context, { fields });
    try {
      if (cmd.verb === 'declare' && cmd.form === 'modal') {
        await client.views.open({ trigger_id: command.trigger_id, view: declareModal(policy, command.channel_id) });
        return;
      }
      const reply = await deps.limit(async () => {
        const name = await nameOf(command.user_id, command.user_name);
        const ctx: CommandContext = {
          actor: { userId: command.user_id, name },
          channelId: command.channel_id,
          idempotencyKey: `cmd:${command.trigger_id}`,
        };
        return execute(cmd, ctx);
      });
      log.info(fields, 'command handled');
      await respond(ephemeral(reply));
    } finally {
      deps.observe?.(cmd.verb, (performance.now() - started) / 1000);
    }
  });
}
