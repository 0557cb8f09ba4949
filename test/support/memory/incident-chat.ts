import { ChatFailure } from '../../../src/errors.js';
import type { Incident } from '../../../src/incident/incident.js';
import type { Notice } from '../../../src/incident/notice.js';
import type { Chat } from '../../../src/incident/ports.js';

/** A notice as the fake holds it: where it went, and the key it carried. */
export interface Sent {
  readonly channel: string;
  readonly ts: string;
  readonly notice: Notice;
  readonly key: string | undefined;
}

type Method = 'createChannel' | 'invite' | 'setTopic' | 'post' | 'dm' | 'edit' | 'pin';

/**
 * The incident's chat workspace in memory: channels by name, every post, DM
 * and edit in order. A test makes the next calls of a method fail as Slack
 * does (`failNext`), with or without the work done first (a lost answer).
 */
export class MemoryChat implements Chat {
  readonly channels = new Map<string, { id: string; name: string; archived: boolean; ours: boolean }>();
  readonly posts: Sent[] = [];
  readonly dms: Sent[] = [];
  readonly edits: Sent[] = [];
  readonly invites: { channel: string; users: readonly string[] }[] = [];
  readonly topics = new Map<string, string>();
  readonly pins: { channel: string; ts: string }[] = [];
  readonly #failures: { method: Method; failure: ChatFailure; done: boolean }[] = [];
  #seq = 0;

  /** The next call of `method` fails with `failure`; `done` does the work first, then fails (the answer is lost). */
  failNext(method: Method, failure: ChatFailure, options: { done?: boolean } = {}): void {
    this.#failures.push({ method, failure, done: options.done ?? false });
  }

  /** Posts (to any channel) of notices of this kind, oldest first. */
  posted(kind: Notice['kind']): Sent[] {
    return this.posts.filter((p) => p.notice.kind === kind);
  }

  async createChannel(name: string): Promise<{ id: string; name: string }> {
    return this.call('createChannel', () => {
      if (this.channels.has(name)) throw new ChatFailure('name_taken', false);
      const room = { id: `C${String(++this.#seq).padStart(8, '0')}`, name, archived: false, ours: true };
      this.channels.set(name, room);
      return { id: room.id, name };
    });
  }

  async findChannel(name: string) {
    const c = this.channels.get(name);
    return c && { id: c.id, name: c.name, createdByUs: c.ours, archived: c.archived };
  }

  /** A channel someone else made (or this app made and archived), whose name the bot cannot have. */
  channelOfOthers(name: string, options: { ours?: boolean; archived?: boolean } = {}): void {
    const id = `C${String(++this.#seq).padStart(8, '0')}`;
    this.channels.set(name, { id, name, archived: options.archived ?? false, ours: options.ours ?? false });
  }

  async invite(channel: string, users: readonly string[]): Promise<void> {
    return this.call('invite', () => void this.invites.push({ channel, users }));
  }

  /** Records the incident the topic was set from (its look is the Slack adapter's). */
  async setTopic(channel: string, incident: Incident): Promise<void> {
    return this.call('setTopic', () => void this.topics.set(channel, `${incident.severity} · ${incident.status}`));
  }

  async post(channel: string, notice: Notice, once?: { key: string; retry: boolean }) {
    return this.call('post', () => {
      const earlier = once?.retry && this.posts.find((p) => p.key === once.key);
      if (earlier) return { channel: earlier.channel, ts: earlier.ts };
      const sent = { channel, ts: `${1_700_000_000 + ++this.#seq}.000100`, notice, key: once?.key };
      this.posts.push(sent);
      return { channel, ts: sent.ts };
    });
  }

  async dm(to: string, notice: Notice, once?: { key: string; retry: boolean }) {
    return this.call('dm', () => {
      const earlier = once?.retry && this.dms.find((d) => d.key === once.key);
      if (earlier) return [{ channel: earlier.channel, ts: earlier.ts }];
      const sent = { channel: to, ts: `${1_700_000_000 + ++this.#seq}.000200`, notice, key: once?.key };
      this.dms.push(sent);
      return [{ channel: sent.channel, ts: sent.ts }];
    });
  }

  async edit(channel: string, ts: string, notice: Notice): Promise<void> {
    return this.call('edit', () => void this.edits.push({ channel, ts, notice, key: undefined }));
  }

  async pin(channel: string, ts: string): Promise<void> {
    return this.call('pin', () => void this.pins.push({ channel, ts }));
  }

  private call<T>(method: Method, work: () => T): T {
    const at = this.#failures.findIndex((f) => f.method === method);
    if (at < 0) return work();
    const next = this.#failures.splice(at, 1)[0]!;
    if (next.done) work();
    throw next.failure;
  }
}
