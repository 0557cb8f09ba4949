import { UserError } from '../errors.js';
import { usage } from './command-usage.js';
import { clip, matchLevel, splitUpdate } from './command-words.js';
import { parseDuration } from './duration.js';
import { INCIDENT_ID, ROLES, type Role, STATUSES, type Status } from './incident.js';
import { STATS_WINDOW_LIMIT_MS } from './stats.js';
import { unstorableText } from './text.js';

/** A parsed `/incident` command. `id` is absent when the command relies on the war room it is typed in. */
export type Command =
  | { verb: 'declare'; form: 'modal' }
  | { verb: 'declare'; form: 'inline'; severity: string; title: string; drill: boolean }
  | { verb: 'status'; id?: string; status: Status; text?: string }
  | { verb: 'update'; id?: string; progress: string; nextSteps?: string; eta?: string }
  | { verb: 'severity'; id?: string; severity: string }
  | { verb: 'role'; id?: string; role: Role; userId: string }
  | { verb: 'resolve'; id?: string; text?: string }
  | { verb: 'snooze'; id?: string; ms: number }
  | { verb: 'note'; id?: string; text: string }
  | { verb: 'timeline'; id?: string; page: number }
  | { verb: 'followup'; id?: string; text: string; owner?: string; due?: string; dueInDays?: number }
  | { verb: 'followups'; id?: string }
  | { verb: 'postmortem'; id?: string }
  | { verb: 'started'; id?: string; when: string }
  | { verb: 'stats'; windowMs: number }
  | { verb: 'playbooks' }
  | { verb: 'run'; id?: string; playbook: string; args: Record<string, string> }
  | { verb: 'ack'; id?: string }
  | { verb: 'page'; id?: string; target: { service: string } | { userId: string }; message: string | null }
  | { verb: 'oncall'; service?: string }
  | { verb: 'list' }
  | { verb: 'help' };

export const MAX_COMMAND_LENGTH = 3000;
/** Names every JavaScript object already has (`constructor`, `__proto__`, …): never parameter names. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
export const MAX_TITLE_LENGTH = 150;

/**
 * Parses the text after `/incident`. Throws a usage `UserError` whose message
 * says what to type instead; never throws anything else.
 */
/** The person a word of the command names (a mention, as the chat tool writes it); undefined when none. */
export type PersonIn = (word: string) => string | undefined;

/** Parses `/incident` text; `personIn` reads a mention, which only the chat adapter knows how to write. */
export function parseCommand(raw: string, levels: readonly string[], personIn: PersonIn): Command {
  const text = raw.trim();
  const fail = (problem: string): never => {
    throw new UserError('usage', `${problem}\n\n${usage(levels)}`);
  };
  if (text.length > MAX_COMMAND_LENGTH) {
    fail(
      `That command is ${text.length.toLocaleString('en-US')} characters long; keep it under ${MAX_COMMAND_LENGTH.toLocaleString('en-US')}. Put long detail in the war room instead.`,
    );
  }
  const unstorable = unstorableText(text);
  if (unstorable) fail(`That command ${unstorable}.`);
  if (!text) return { verb: 'help' };
  const [verbWord = '', ...rest] = text.split(/\s+/);
  const verb = verbWord.toLowerCase();
  let args = rest;
  let id: string | undefined;
  if (args[0] && INCIDENT_ID.test(args[0])) {
    id = args[0].toUpperCase();
    args = args.slice(1);
  }
  const tail = () => args.join(' ').trim();

  switch (verb) {
    case 'help':
      return { verb: 'help' };
    case 'list':
      return { verb: 'list' };
    case 'declare': {
      if (args.length === 0) return { verb: 'declare', form: 'modal' };
      const drill = args.some((a) => a.toLowerCase() === '--drill');
      const words = args.filter((a) => a.toLowerCase() !== '--drill');
      const severity =
        matchLevel(words[0] ?? '', levels) ??
        fail(
          `\`${clip(words[0] ?? '')}\` is not a severity. Use one of ${levels.join(', ')}, e.g. \`/incident declare ${levels[1] ?? levels[0]} Checkout is failing\`.`,
        );
      const title = words.slice(1).join(' ').trim();
      if (!title) fail(`Give the incident a title: \`/incident declare ${severity} Checkout is failing\`.`);
      if (title.length > MAX_TITLE_LENGTH)
        fail(
          `The title is ${title.length} characters; keep it under ${MAX_TITLE_LENGTH}. Put detail in \`/incident update\`.`,
        );
      if (/<[@!#]/.test(title))
        fail(
          'Titles cannot contain mentions or channel links, so the announcement pings no one. Name people with `/incident role`.',
        );
      return { verb: 'declare', form: 'inline', severity, title, drill };
    }
    case 'status': {
      const word = (args[0] ?? '').toLowerCase();
      if (!(STATUSES as readonly string[]).includes(word))
        fail(`\`${clip(args[0] ?? '')}\` is not a status. Use one of ${STATUSES.join(', ')}.`);
      const note = args.slice(1).join(' ').trim();
      return { verb: 'status', ...(id && { id }), status: word as Status, ...(note && { text: note }) };
    }
    case 'update': {
      const parts = splitUpdate(tail());
      if (!parts.progress)
        fail(
          'Say what has happened: `/incident update Rolled back to v41; errors falling next: watch error rate eta: 30m`.',
        );
      return { verb: 'update', ...(id && { id }), ...parts };
    }
    case 'severity': {
      const severity =
        matchLevel(args[0] ?? '', levels) ??
        fail(`\`${clip(args[0] ?? '')}\` is not a severity. Use one of ${levels.join(', ')}.`);
      return { verb: 'severity', ...(id && { id }), severity };
    }
    case 'role': {
      const role = (args[0] ?? '').toLowerCase();
      if (!(ROLES as readonly string[]).includes(role))
        fail(`\`${clip(args[0] ?? '')}\` is not a role. Use one of ${ROLES.join(', ')}: \`/incident role ic @alex\`.`);
      const userId = personIn(args[1] ?? '');
      if (!userId) fail(`Mention the person so Slack links them: \`/incident role ${role} @alex\`.`);
      return { verb: 'role', ...(id && { id }), role: role as Role, userId: userId! };
    }
    case 'snooze': {
      const ms = parseDuration(args[0] ?? '');
      if (!ms || args.length > 1) fail('Say how long, e.g. `/incident snooze 30m` (1m to 24h).');
      return { verb: 'snooze', ...(id && { id }), ms: ms! };
    }
    case 'ack':
      return { verb: 'ack', ...(id && { id }) };
    case 'page': {
      const [who = '', ...words] = args;
      const mention = personIn(who);
      if (!who || (!mention && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(who)))
        fail(
          'Say whom to page: a PagerDuty service by name, or a person: `/incident page payments Checkout 502s` or `/incident page @alex`.',
        );
      const message = words.join(' ').trim() || null;
      const target = mention ? { userId: mention } : { service: who };
      return { verb: 'page', ...(id && { id }), target, message };
    }
    case 'oncall': {
      if (args.length > 1) fail('Name at most one service: `/incident oncall` or `/incident oncall payments`.');
      return { verb: 'oncall', ...(args[0] && { service: args[0] }) };
    }
    case 'note': {
      const text = tail();
      if (!text) fail('Say what to note: `/incident note Saw 502s from the EU load balancer`.');
      return { verb: 'note', ...(id && { id }), text };
    }
    case 'timeline': {
      const page = args[0] ? Number(args[0]) : 1;
      if (!Number.isInteger(page) || page < 1) fail('Give a page number: `/incident timeline 2`.');
      return { verb: 'timeline', ...(id && { id }), page };
    }
    case 'followup': {
      const words = [...args];
      const mention = words.findIndex((w) => personIn(w) !== undefined);
      const owner = mention >= 0 ? personIn(words.splice(mention, 1)[0]!) : undefined;
      const last = words.at(-1) ?? '';
      const date = /^\d{4}-\d{2}-\d{2}$/.test(last) && !Number.isNaN(Date.parse(last)) ? last : undefined;
      const days = !date && /^\d{1,3}d$/.test(last) ? Number(last.slice(0, -1)) : undefined;
      if (date !== undefined || days !== undefined) words.pop();
      const text = words.join(' ').trim();
      if (!text) fail('Say what needs doing: `/incident followup Add an alert on pool saturation @alex 2026-12-01`.');
      return {
        verb: 'followup',
        ...(id && { id }),
        text,
        ...(owner && { owner }),
        ...(date && { due: date }),
        ...(days !== undefined && { dueInDays: days }),
      };
    }
    case 'followups':
      return { verb: 'followups', ...(id && { id }) };
    case 'postmortem':
      return { verb: 'postmortem', ...(id && { id }) };
    case 'started': {
      if (!args[0])
        fail('Say when impact began: `/incident started 14:05` (your time) or `/incident started 2026-11-22T14:05Z`.');
      return { verb: 'started', ...(id && { id }), when: args[0]! };
    }
    case 'stats': {
      const windowMs = args[0] ? parseDuration(args[0]) : 30 * 86_400_000;
      if (!windowMs || windowMs > STATS_WINDOW_LIMIT_MS)
        fail('Give a window up to a year, e.g. `/incident stats 30d`.');
      return { verb: 'stats', windowMs: windowMs! };
    }
    case 'playbooks':
      return { verb: 'playbooks' };
    case 'run': {
      const [playbook, ...pairs] = args;
      if (!playbook)
        fail('Name the playbook: `/incident run restart-service deployment=web`. `/incident playbooks` lists them.');
      const parsedArgs: Record<string, string> = Object.create(null);
      for (const pair of pairs) {
        const m = /^([^=]+)=(.+)$/.exec(pair);
        if (!m) fail(`\`${clip(pair)}\` is not key=value: \`/incident run ${playbook} deployment=web\`.`);
        const key = m![1]!;
        if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key) || RESERVED_KEYS.has(key))
          fail(
            `\`${clip(key)}\` cannot be a parameter name. \`/incident playbooks\` lists each playbook's parameters.`,
          );
        if (Object.hasOwn(parsedArgs, key))
          fail(
            `\`${clip(key)}\` is given twice; give each parameter once, e.g. \`/incident run ${playbook} deployment=web\`.`,
          );
        parsedArgs[key] = m![2]!;
      }
      return { verb: 'run', ...(id && { id }), playbook: playbook!, args: parsedArgs };
    }
    case 'rollback': {
      const target = /^([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})$/.exec(args[0] ?? '');
      if (!target || args.length > 2 || (args[1] !== undefined && !/^\d{1,6}$/.test(args[1])))
        fail(
          'Say what to roll back: `/incident rollback shop/web` (to the previous revision) or `/incident rollback shop/web 41`.',
        );
      return {
        verb: 'run',
        ...(id && { id }),
        playbook: 'rollback-deployment',
        args: { namespace: target![1]!, deployment: target![2]!, ...(args[1] !== undefined && { revision: args[1] }) },
      };
    }
    case 'resolve': {
      const note = tail();
      return { verb: 'resolve', ...(id && { id }), ...(note && { text: note }) };
    }
    default:
      return fail(`\`${clip(verbWord)}\` is not a command I know.`);
  }
}
