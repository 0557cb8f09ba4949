import type { App } from '@slack/bolt';
import { type Command, parseCommand, usage } from '../incident/command.js';
import type { Policy } from '../incident/policy.js';
import type { Directory } from '../incident/ports.js';
import type { RecordService } from '../incident/record.js';
import type { CommandContext, IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import type { Runbooks } from '../runbook/service.js';
import { renderList, type SlackMessage, simple } from './blocks.js';
import type { Limit } from './limiter.js';
import { renderFollowups, renderStats, renderTimeline } from './record-blocks.js';
import { replyForError, replyForOutcome } from './replies.js';
import { renderPlaybooks } from './runbook-blocks.js';
import { declareModal } from './views.js';

export interface CommandDeps {
  readonly service: IncidentService;
  readonly record: RecordService;
  readonly directory: Directory;
  readonly policy: Policy;
  readonly log: Logger;
  /** Observes how long each command took to handle, by verb. */
  readonly observe?: (verb: string, seconds: number) => void;
  /** Bounds the work done after acks. */
  readonly limit: Limit;
  readonly runbooks: Runbooks;
}

/** How long a command waits for the typist's display name before using their handle. */
const NAME_WAIT_MS = 300;

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, ...m });

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
        return renderList(await service.list(), policy);
      case 'declare': {
        if (cmd.form !== 'inline') throw new Error('modal declare is handled before execute');
        const o = await service.declare({ severity: cmd.severity, title: cmd.title, drill: cmd.drill }, ctx);
        const room = o.incident.channelId ? ` War room: <#${o.incident.channelId}>.` : '';
        return replyForOutcome(`Declared *${o.incident.id}* (${o.incident.severity}): ${o.incident.title}.${room}`, o);
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
          `Update clock of ${o.incident.id} snoozed; next update due ${o.incident.nextUpdateDue?.toISOString().slice(11, 16)} UTC.`,
          o,
        );
      }
      case 'ack': {
        const o = await service.acknowledge(cmd, ctx);
        return replyForOutcome(`${o.incident.id} acknowledged; escalation stopped.`, o);
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
        return renderTimeline(await record.timeline(cmd, cmd.page, ctx));
      case 'followup': {
        const { incident, followup } = await record.followup(cmd, cmd, ctx);
        return simple(
          `Follow-up recorded for ${incident.id}: ${followup.text}${followup.owner ? ` (owner <@${followup.owner}>)` : ''}${followup.due ? `, due ${followup.due}` : ''}.`,
        );
      }
      case 'followups': {
        const { incident, followups } = await record.followups(cmd, ctx);
        return renderFollowups(incident, followups);
      }
      case 'postmortem': {
        const { incident } = await record.postmortem(cmd, ctx);
        return simple(
          `The post-incident report draft for ${incident.id} is uploaded to ${incident.channelId ? `<#${incident.channelId}>` : 'the incidents channel'}, and kept with the incident.`,
        );
      }
      case 'started': {
        const i = await record.started(cmd, cmd.when, ctx);
        return simple(
          `Impact start of ${i.id} set to ${i.impactStartedAt!.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
        );
      }
      case 'stats':
        return renderStats(await record.stats(cmd.windowMs), cmd.windowMs);
      case 'playbooks':
        return renderPlaybooks(deps.runbooks.list());
      case 'run': {
        const incident = await service.find(cmd, ctx);
        const run = await deps.runbooks.request(incident, cmd.playbook, cmd.args, ctx.actor.userId);
        const where = run.channel ? `<#${run.channel}>` : 'the war room';
        return simple(
          run.state === 'awaiting_approval'
            ? `${run.id}: the dry run is posted in ${where}; someone other than you (the IC or an approver) must approve it.`
            : `${run.id} ${run.state}; the results are in ${where}.`,
        );
      }
    }
  }

  app.command('/incident', async ({ command, ack, respond, client }) => {
    let cmd: Command;
    try {
      cmd = parseCommand(command.text ?? '', levels);
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
    const context = { user: command.user_id, verb: cmd.verb, ...('id' in cmd && cmd.id && { incidentId: cmd.id }) };
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
      log.info(context, 'command handled');
      await respond(ephemeral(reply));
    } catch (err) {
      await respond(ephemeral(replyForError(err, log, context))).catch((e: unknown) =>
        log.warn({ ...context, err: e }, 'could not reply to the user'),
      );
    } finally {
      deps.observe?.(cmd.verb, (performance.now() - started) / 1000);
    }
  });
}
