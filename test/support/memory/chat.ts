import { ChatFailure } from '../../../src/errors.js';
import type { RunNotice } from '../../../src/runbook/run-notice.js';
import type { RunbookChat } from '../../../src/runbook/run-ports.js';

/** A message as the fake holds it: its latest notice, and the key it was posted with. */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
  notice: RunNotice;
  readonly key: string | undefined;
  /** Every notice the message showed, the first one first. */
  readonly shown: RunNotice[];
}

/**
 * Chat for runs in memory: it records every card and message and every edit of them. A test can
 * make the next calls fail as Slack does (rate limited, refused), or post a message and then lose
 * the answer, as a dropped connection does.
 */
export class MemoryRunbookChat implements RunbookChat {
  readonly messages: PostedMessage[] = [];
  readonly groups = new Map<string, string[]>();
  private readonly failures: { method: 'post' | 'edit'; failure: ChatFailure; posted: boolean }[] = [];

  /** The next call of `method` fails with `failure`; `posted` posts the message first (the answer is lost). */
  failNext(method: 'post' | 'edit', failure: ChatFailure, options: { posted?: boolean } = {}): void {
    this.failures.push({ method, failure, posted: options.posted ?? false });
  }

  /** Messages about run `runId`, in the order they were posted. */
  about(runId: string): PostedMessage[] {
    return this.messages.filter((m) => m.notice.run.id === runId);
  }

  /** The run's approval cards (its `card` messages), in the order they were posted. */
  cards(runId: string): PostedMessage[] {
    return this.about(runId).filter((m) => m.shown[0]!.kind === 'card');
  }

  async post(channel: string, notice: RunNotice, once?: { key: string; retry: boolean }): Promise<string> {
    if (once?.retry) {
      const found = this.messages.find((m) => m.channel === channel && m.key === once.key);
      if (found) return found.ts;
    }
    const failure = this.takeFailure('post');
    if (failure && !failure.posted) throw failure.failure;
    const ts = `1767225600.${String(this.messages.length + 1).padStart(6, '0')}`;
    this.messages.push({ channel, ts, notice, key: once?.key, shown: [notice] });
    if (failure) throw failure.failure;
    return ts;
  }

  async edit(channel: string, ts: string, notice: RunNotice): Promise<void> {
    const failure = this.takeFailure('edit');
    if (failure) throw failure.failure;
    const m = this.messages.find((x) => x.channel === channel && x.ts === ts);
    if (!m) throw new ChatFailure('message_not_found', false);
    m.notice = notice;
    m.shown.push(notice);
  }

  /** A group's members as set in `groups`; anyone else is themself. */
  async members(id: string): Promise<string[]> {
    return this.groups.get(id) ?? (id.startsWith('S') ? [] : [id]);
  }

  private takeFailure(method: 'post' | 'edit') {
    const i = this.failures.findIndex((f) => f.method === method);
    return i >= 0 ? this.failures.splice(i, 1)[0] : undefined;
  }
}
