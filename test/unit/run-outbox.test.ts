import { describe, expect, it } from '@jest/globals';
import { ChatFailure } from '../../src/errors.js';
import { type MemoryRunbooks, memoryRunbooks } from '../support/memory/runbooks.js';

const SECOND = 1000;
const IC = 'U0DECLARER';

/** The run's actions of `kind`, as the outbox holds them. */
const actionsOf = (w: MemoryRunbooks, runId: string, kind: string) =>
  w.outbox.actions.filter((a) => a.runId === runId && a.spec.kind === kind);

/** Timeline lines the run's failed actions wrote. */
const failures = (w: MemoryRunbooks) =>
  w.incidents.timeline.filter((t) => t.entry.kind === 'runbook_action_failed').map((t) => t.entry.text);

describe('a chat action that fails', () => {
  it('is retried with back-off, and never holds up the step', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.chat.failNext('edit', new ChatFailure('internal_error', true));
    await w.click(id, 'approve', IC);
    await w.fire();
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    expect((await w.run(id)).state).toBe('succeeded');
    expect(failures(w)).toEqual([
      `${id} restart-service: Updating the run's card failed (internal_error); retrying in 2s`,
    ]);
    expect(w.card(id).notice).toMatchObject({ kind: 'card', run: { state: 'awaiting_approval' } });
    // One pending edit renders the latest state, so the finished run's own edit adds none.
    expect(actionsOf(w, id, 'card').filter((a) => a.state === 'pending')).toHaveLength(1);

    w.clock.advance(2 * SECOND);
    await w.fire();
    expect(w.card(id).notice).toMatchObject({ kind: 'card', run: { state: 'succeeded' } });
    expect(w.outbox.open(id)).toEqual([]);
  });

  it('backs off 2 s, doubling to at most 5 min, and gives up after 20 attempts, saying so once more', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    for (let n = 0; n < 20; n++) w.chat.failNext('edit', new ChatFailure('internal_error', true));
    await w.click(id, 'deny', IC);
    const delays: number[] = [];
    for (;;) {
      const [card] = actionsOf(w, id, 'card');
      if (card!.state !== 'pending') break;
      delays.push(card!.nextAt.getTime() - w.clock.now().getTime());
      w.clock.advance(delays.at(-1)!);
      await w.fire();
    }
    expect(delays.map((d) => d / SECOND)).toEqual([2, 4, 8, 16, 32, 64, 128, 256, ...Array(11).fill(300)]);
    expect(actionsOf(w, id, 'card')[0]).toMatchObject({ state: 'failed', attempts: 20, lastError: 'internal_error' });
    expect(failures(w)).toEqual([
      `${id} restart-service: Updating the run's card failed (internal_error); retrying in 2s`,
      `${id} restart-service: Updating the run's card failed (internal_error); gave up after 20 attempt(s)`,
    ]);
    expect((await w.run(id)).state).toBe('denied');
  });

  it('failed together, comes back spread out (jitter of ±20% around the backoff), not in lockstep', async () => {
    const draws = [0.05, 0.95];
    const w = memoryRunbooks({ random: () => draws.shift() ?? 0.5 });
    const first = await w.asked('restart-service', { deployment: 'web' });
    const second = await w.asked('restart-service', { deployment: 'cart-api' });
    w.chat.failNext('edit', new ChatFailure('internal_error', true));
    w.chat.failNext('edit', new ChatFailure('internal_error', true));
    await w.click(first, 'deny', IC);
    await w.click(second, 'deny', IC);
    const delays = [first, second].map((id) => actionsOf(w, id, 'card')[0]!.nextAt.getTime() - w.clock.now().getTime());
    expect(delays).toEqual([1_640, 2_360]);
    w.clock.advance(2_360);
    await w.fire();
    expect(w.card(first).notice).toMatchObject({ run: { state: 'denied' } });
    expect(w.card(second).notice).toMatchObject({ run: { state: 'denied' } });
  });

  it('waits as long as Slack asks when it sends Retry-After', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.chat.failNext('edit', new ChatFailure('ratelimited', true, 30 * SECOND));
    await w.click(id, 'deny', IC);
    const [card] = actionsOf(w, id, 'card');
    expect(card!.nextAt).toEqual(new Date(w.clock.now().getTime() + 30 * SECOND));
    expect(w.timers.prompts).toContainEqual({ kind: 'actions', runId: id, at: card!.nextAt });
    w.clock.advance(29 * SECOND);
    await w.fire();
    expect(w.card(id).notice).toMatchObject({ run: { state: 'awaiting_approval' } });
    w.clock.advance(SECOND);
    await w.fire();
    expect(w.card(id).notice).toMatchObject({ run: { state: 'denied' } });
  });

  it('that Slack will never take is given up at once, and the timeline says so', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.chat.failNext('edit', new ChatFailure('message_not_found', false));
    await w.click(id, 'deny', IC);
    expect(actionsOf(w, id, 'card')[0]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failures(w)).toEqual([
      `${id} restart-service: Updating the run's card failed (message_not_found); gave up after 1 attempt(s)`,
    ]);
    expect(w.timers.prompts.filter((p) => p.kind === 'actions')).toEqual([]);
  });
});

describe('the approval card', () => {
  it('rate limited: the requester hears it is being retried, and the run goes on when it is posted', async () => {
    const w = memoryRunbooks();
    w.chat.failNext('post', new ChatFailure('ratelimited', true, 20 * SECOND));
    const { run, card } = await w.request('restart-service', { deployment: 'web' });
    expect(run.state).toBe('awaiting_approval');
    expect(card).toEqual({
      kind: 'retrying',
      code: 'ratelimited',
      at: new Date(w.clock.now().getTime() + 20 * SECOND),
    });
    expect(w.chat.cards(run.id)).toEqual([]);
    w.clock.advance(20 * SECOND);
    await w.fire();
    expect(w.chat.cards(run.id)).toHaveLength(1);
    expect(w.runs.events(run.id)).toContain('card_posted');
    await w.click(run.id, 'approve', IC);
    await w.fire();
    expect((await w.run(run.id)).state).toBe('succeeded');
  });

  it('posted but the answer lost: the retry finds it, and there is one card', async () => {
    const w = memoryRunbooks();
    w.chat.failNext('post', new ChatFailure('request_timeout', true), { posted: true });
    const { run } = await w.request('restart-service', { deployment: 'web' });
    expect(run.cardTs).toBeNull();
    w.clock.advance(2 * SECOND);
    await w.fire();
    expect(w.chat.cards(run.id)).toHaveLength(1);
    expect((await w.run(run.id)).cardTs).toBe(w.card(run.id).ts);
  });

  it('that Slack will not take withdraws the run: the requester is told, and the target is free', async () => {
    const w = memoryRunbooks();
    w.chat.failNext('post', new ChatFailure('channel_not_found', false));
    const { run, card } = await w.request('restart-service', { deployment: 'web' });
    expect(card).toEqual({ kind: 'none' });
    expect(run.state).toBe('withdrawn');
    expect(run.outcome).toBe('the approval card could not be posted in the war room (Slack said `channel_not_found`)');
    const told = w.chat.messages.find((m) => m.channel === 'U0RESPOND1')!;
    expect(told.notice).toMatchObject({ kind: 'withdrawn', to: 'U0RESPOND1', reason: run.outcome });
    expect(w.runs.events(run.id)).toEqual(['requested', 'dry_run', 'withdrawn']);
    expect(w.cluster.applied).toEqual([]);
    expect((await w.request('restart-service', { deployment: 'web' })).run.state).toBe('awaiting_approval');
  });
});

describe('the lease on an action', () => {
  it('keeps another replica off a claimed action until it lapses, then hands it on', async () => {
    const w = memoryRunbooks({ leaseMs: 10 * SECOND });
    const id = await w.asked();
    w.chat.failNext('edit', new ChatFailure('internal_error', true));
    await w.click(id, 'deny', IC);
    w.clock.advance(2 * SECOND);
    // A replica claims the retried edit and dies with it.
    expect(await w.outbox.claim(id, w.clock.now(), ['card'])).toMatchObject({ attempts: 2 });
    expect(await w.outbox.due(w.clock.now())).toEqual([]);
    w.clock.advance(10 * SECOND);
    expect(await w.outbox.due(w.clock.now())).toEqual([]);
    w.clock.advance(1);
    expect(await w.outbox.scheduled()).toEqual([{ runId: id, at: new Date(w.clock.now().getTime() - 1) }]);
    await w.runbooks.sweep();
    expect(w.card(id).notice).toMatchObject({ run: { state: 'denied' } });
    expect(actionsOf(w, id, 'card')[0]).toMatchObject({ state: 'done', attempts: 3 });
  });
});

describe('the queue away at click time', () => {
  it('the step still runs, once, in the process that took the click', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.timers.down = true;
    await w.click(id, 'approve', IC);
    await w.runbooks.idle(1000);
    expect(w.cluster.applied).toEqual([{ verb: 'restart', target: 'shop/web' }]);
    expect((await w.run(id)).state).toBe('succeeded');
    w.timers.down = false;
    await w.runbooks.sweep();
    expect(w.cluster.applied).toHaveLength(1);
  });

  it('puts every prompt back from the stores when it returns', async () => {
    const w = memoryRunbooks();
    const id = await w.asked();
    w.chat.failNext('edit', new ChatFailure('ratelimited', true, 30 * SECOND));
    await w.click(id, 'deny', IC);
    w.timers.prompts.length = 0;
    expect(await w.runbooks.rebuild()).toBe(1);
    expect(w.timers.prompts).toEqual([{ kind: 'actions', runId: id, at: actionsOf(w, id, 'card')[0]!.nextAt }]);
  });
});
