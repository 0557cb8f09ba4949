import { commander, type Incident } from '../incident/incident.js';
import type { Names } from './mentions.js';

/** Slack's limit on a channel topic. */
const TOPIC_MAX = 250;

/**
 * The war room's topic line: level, status, the IC by name (a topic pings no one) and the
 * incident, within Slack's 250 characters.
 */
export function topicOf(i: Incident, names: Names): string {
  const title = i.title.replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => names.of(id));
  const line = `${i.severity} · ${i.status} · IC ${names.of(commander(i))} · ${i.id}: ${title}`;
  return line.length <= TOPIC_MAX ? line : `${line.slice(0, TOPIC_MAX - 1)}…`;
}
