import type { App } from '@slack/bolt';
import { parseCommand, usage, type Command } from '../incident/command.js';
import type { Policy } from '../incident/policy.js';
import type { CommandContext, IncidentService } from '../incident/service.js';
import type { Logger } from '../log.js';
import { renderList, simple, type SlackMessage } from './blocks.js';
import { replyForError, replyForOutcome } from './replies.js';
import { declareModal } from './views.js';

export interface CommandDeps {
  readonly service: IncidentService;
  readonly policy: Policy;
  readonly log: Logger;
}

const ephemeral = (m: SlackMessage) => ({ response_type: 'ephemeral' as const, ...m });

/**
 * `/incident`: acks at once (Slack drops commands not acked within 3 s),
 * answers bad usage in the ack itself, and does the work after it.
 */
export function registerCommands(app: App, deps: CommandDeps): void {
  const { service, policy, log } = deps;
  const levels = policy.severities.map((s) => s.level);

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
        return replyForOutcome(`Update clock of ${o.incident.id} snoozed; next update due ${o.incident.nextUpdateDue?.toISOString().slice(11, 16)} UTC.`, o);
      }
      case 'ack': {
        const o = await service.acknowledge(cmd, ctx);
        return replyForOutcome(`${o.incident.id} acknowledged; escalation stopped.`, o);
      }
      case 'resolve': {
        const o = await service.resolve(cmd, cmd.text, ctx);
        return replyForOutcome(`${o.incident.id} is resolved.`, o);
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
    const context = { user: command.user_id, verb: cmd.verb, ...('id' in cmd && cmd.id && { incidentId: cmd.id }) };
    try {
      if (cmd.verb === 'declare' && cmd.form === 'modal') {
        await client.views.open({ trigger_id: command.trigger_id, view: declareModal(policy, command.channel_id) });
        return;
      }
      const ctx: CommandContext = { actor: { userId: command.user_id }, channelId: command.channel_id, idempotencyKey: `cmd:${command.trigger_id}` };
      const reply = await execute(cmd, ctx);
      log.info(context, 'command handled');
      await respond(ephemeral(reply));
    } catch (err) {
      await respond(ephemeral(replyForError(err, log, context))).catch((e: unknown) => log.warn({ ...context, err: e }, 'could not reply to the user'));
    }
  });
}
