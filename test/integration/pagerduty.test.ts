import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FakePagerDuty, PD_FROM, PD_TOKEN } from '../../src/playground/pagerduty/server.js';
import { deliverWebhook, incidentEvent, pingEvent, signature } from '../../src/playground/pagerduty/webhooks.js';
import { blockAction } from '../../src/playground/slack/payloads.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { policyFile } from '../support/policies.js';

const DEFAULT_KEY = 'd'.repeat(32);
const PAYMENTS_KEY = 'p'.repeat(32);
const SECRETS = ['old-webhook-secret', 'new-webhook-secret'];

const POLICY = `severities:
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 1h
    page: true
  P2:
    description: Minor feature impact
    updateEvery: 1h
pagerduty:
  escalationPolicies: [PEP0001]
  services:
    payments: { id: PSVC001, routingKey: ${PAYMENTS_KEY} }
    ledger: { id: PSVC002 }
`;

let pd: FakePagerDuty;
let h: Harness;
let clicks = 0;

beforeAll(async () => {
  pd = await new FakePagerDuty([DEFAULT_KEY, PAYMENTS_KEY]).start();
  const rest = pd.rest;
  rest.escalationPolicies.set('PEP0001', 'Payments primary');
  rest.escalationPolicies.set('PEP0002', 'Ledger primary');
  rest.services.set('PSVC001', { name: 'payments', escalationPolicy: 'PEP0001' });
  rest.services.set('PSVC002', { name: 'ledger', escalationPolicy: 'PEP0002' });
  rest.users.set('PREMY01', { id: 'PREMY01', name: 'Remy Martin', email: 'remy@example.com' });
  rest.users.set('PZED001', { id: 'PZED001', name: 'Zed <!channel> Nobody', email: 'zed@elsewhere.example' });
  rest.users.set('POLA001', { id: 'POLA001', name: 'Ola Nordmann', email: 'ola@example.com' });
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  rest.onCalls.push(
    { userId: 'PREMY01', escalationPolicy: 'PEP0001', level: 1, schedule: 'PSCHED1', end: inAnHour },
    { userId: 'PZED001', escalationPolicy: 'PEP0001', level: 2, schedule: null, end: null },
    { userId: 'POLA001', escalationPolicy: 'PEP0002', level: 1, schedule: 'PSCHED2', end: inAnHour },
  );
  h = await startHarness({
    env: {
      INCIDENT_POLICY: policyFile(POLICY),
      PAGERDUTY_TOKEN: PD_TOKEN,
      PAGERDUTY_FROM: PD_FROM,
      PAGERDUTY_ROUTING_KEY: DEFAULT_KEY,
      PAGERDUTY_WEBHOOK_SECRET: SECRETS.join(','),
      PAGERDUTY_API_URL: pd.apiUrl,
      PAGERDUTY_EVENTS_URL: pd.eventsUrl,
    },
  });
});
afterAll(async () => {
  await h.stop();
  await pd.stop();
});

const idOf = (text: string) => /INC-\d{4}-\d{4}-\d{3}/.exec(text)![0];

async function declare(text: string): Promise<string> {
  const ack = await h.command(`declare ${text}`);
  return idOf(await h.reply(ack.responseUrl, 10_000));
}

async function run(text: string): Promise<string> {
  return h.reply((await h.command(text)).responseUrl, 10_000);
}

async function timeline(
  id: string,
  kind?: string,
): Promise<{ kind: string; text: string; data: Record<string, unknown> }[]> {
  const { rows } = await h.sql.query('SELECT kind, text, data FROM timeline WHERE incident_id = $1 ORDER BY id', [id]);
  return kind ? rows.filter((r) => r.kind === kind) : rows;
}

async function room(id: string) {
  const { rows } = await h.sql.query('SELECT channel_id FROM incidents WHERE id = $1', [id]);
  return h.slack.channels.get(rows[0].channel_id)!;
}

const triggers = (dedupKey: string, routingKey = DEFAULT_KEY) =>
  pd.events.accepted.filter(
    (e) => e.dedup_key === dedupKey && e.routing_key === routingKey && e.event_action === 'trigger',
  );

describe('paging on declaration', () => {
  it('pages once, with the incident’s details and links, and invites the on-call (naming who Slack does not know)', async () => {
    const ack = await h.command('declare P1 Checkout is failing');
    const id = idOf(await h.reply(ack.responseUrl, 10_000));
    // Slack delivers the command again (a retry): nothing is paged twice.
    await h.command('declare P1 Checkout is failing', { triggerId: ack.triggerId });
    const alert = await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the PagerDuty alert');
    const event = alert.trigger as { payload: Record<string, unknown>; links: { href: string; text: string }[] };
    expect(event.payload).toMatchObject({ source: 'firebreak', severity: 'critical', class: 'incident' });
    expect(event.payload.summary).toBe(`[P1] ${id}: Checkout is failing`);
    expect(event.payload.custom_details).toMatchObject({ id, level: 'P1', status: 'investigating', ic: 'dana' });
    const war = await room(id);
    expect(event.links.map((l) => l.href)).toEqual([
      `https://slack.com/app_redirect?channel=${war.id}`,
      expect.stringContaining(`/archives/${war.id}/p`),
    ]);
    await waitFor(() => war.members.has('U0RESPOND1'), 10_000, 'the on-call invited');
    const named = await waitFor(
      () => war.messages.find((m) => m.text.includes('Slack has no one with their email')),
      10_000,
      'the on-call Slack does not know, named in the war room',
    );
    expect(named.text).toContain('Zed &lt;!channel&gt; Nobody');
    expect(named.text).not.toContain('<!channel>');
    expect(await timeline(id, 'paged')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(triggers(id)).toHaveLength(1);
    expect(pd.events.opened(id)).toHaveLength(1);
  });

  it('acknowledges in PagerDuty when acknowledged in Slack, and resolves there when resolved', async () => {
    const id = await declare('P1 Acknowledge me');
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the page');
    await run(`ack ${id}`);
    await waitFor(() => pd.events.open(DEFAULT_KEY, id)?.status === 'acknowledged', 10_000, 'the acknowledgement');
    await run(`resolve ${id} fixed`);
    await waitFor(() => !pd.events.open(DEFAULT_KEY, id), 10_000, 'the resolution');
    expect(pd.eventsFor(id).map((e) => e.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
  });

  it('does not page for a level without page, nor for a drill', async () => {
    const quiet = await declare('P2 Minor glitch');
    const drill = await declare('P1 Fire drill --drill');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(pd.eventsFor(quiet)).toEqual([]);
    expect(pd.eventsFor(drill)).toEqual([]);
  });
});

describe('when PagerDuty fails', () => {
  it('keeps retrying 5xx and 429 (with and without its headers), and pages exactly once when it answers', async () => {
    pd.fail('events', { kind: 'http', status: 503 });
    pd.fail('events', { kind: 'ratelimited', body: false, headers: false });
    pd.fail('events', { kind: 'ratelimited', body: true, headers: true, resetSeconds: 1 });
    const before = pd.requests.length;
    const id = await declare('P1 PagerDuty is having a day');
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 20_000, 'the page, once PagerDuty answers');
    const tries = pd.requests.slice(before).filter((r) => r.api === 'events');
    expect(tries.map((r) => r.status).slice(0, 4)).toEqual([503, 429, 429, 202]);
    // After the 429 that said "reset in 1 s", the next try waited at least that long.
    expect(tries[3]!.at - tries[2]!.at).toBeGreaterThanOrEqual(1_000);
    const failed = await timeline(id, 'effect_failed');
    expect(failed[0]!.text).toMatch(/^Paging the on-call through PagerDuty failed \(http_503\); retrying in/);
    const recovered = await waitFor(async () => (await timeline(id, 'effect_recovered'))[0], 5_000, 'the recovery');
    expect(recovered.text).toBe('Paging the on-call through PagerDuty: done after 4 attempts');
    const war = await room(id);
    const notice = await waitFor(
      () => war.messages.find((m) => m.text.includes('failed for')),
      10_000,
      'the war-room notice',
    );
    expect(JSON.stringify(notice.blocks)).toContain('"action_id":"retry_page"');
    await waitFor(() => war.messages.find((m) => m.text.includes('sent after 4 attempts')), 10_000, 'the all-clear');
    expect(triggers(id)).toHaveLength(1);
    expect(pd.events.opened(id)).toHaveLength(1);
  }, 40_000);

  it('gives a refused page up, and the war room’s Retry button sends it once PagerDuty takes it', async () => {
    pd.fail('events', { kind: 'http', status: 400 });
    const id = await declare('P1 Refused page');
    const war = await waitFor(async () => (await room(id)) ?? undefined, 10_000, 'the war room');
    const notice = await waitFor(() => war.messages.find((m) => m.text.includes('failed for')), 10_000, 'the notice');
    expect(JSON.stringify(notice.blocks)).toContain('I gave up');
    expect(pd.events.open(DEFAULT_KEY, id)).toBeUndefined();
    const actions = (notice.blocks as { type: string; elements?: { value: string }[] }[]).find(
      (b) => b.type === 'actions',
    );
    const value = actions!.elements![0]!.value;
    const path = `/respond/pd-retry-${++clicks}`;
    await h.interact(
      blockAction({
        actionId: 'retry_page',
        value,
        user: 'U0RESPOND1',
        channel: war.id,
        messageTs: notice.ts,
        responseUrl: `${h.slack.url}${path}`,
        triggerId: h.slack.issueTrigger(),
        blockId: 'page_retry',
      }),
    );
    expect(await h.reply(path, 10_000)).toContain(`Retrying the page for ${id} now.`);
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the page after Retry');
    await waitFor(() => war.messages.find((m) => m.text.includes('sent after 2 attempts')), 10_000, 'the all-clear');
    expect(triggers(id)).toHaveLength(1);
    expect((await timeline(id, 'page_retry')).length).toBe(1);
  }, 30_000);
});

describe('/incident page and /incident oncall', () => {
  let id: string;
  beforeAll(async () => {
    id = await declare('P2 Payments slow');
  });

  it('pages a service by its own routing key, another through the REST API, and a person by email', async () => {
    expect(await run(`page ${id} payments Card payments time out`)).toContain('Paging *payments*');
    const alert = await waitFor(() => pd.events.open(PAYMENTS_KEY, id), 10_000, 'the payments page');
    expect((alert.trigger as { payload: { summary: string } }).payload.summary).toBe(
      `[P2] ${id}: Payments slow (Card payments time out)`,
    );
    await run(`page ${id} ledger`);
    const ledger = await waitFor(() => pd.rest.incidents.find((i) => i.serviceId === 'PSVC002'), 10_000, 'ledger');
    expect(ledger).toMatchObject({ incidentKey: id, from: PD_FROM, status: 'triggered' });
    await run(`page ${id} <@U0RESPOND2|ola>`);
    const person = await waitFor(() => pd.rest.incidents.find((i) => i.assignees.includes('POLA001')), 10_000, 'ola');
    expect(person).toMatchObject({ serviceId: 'PSVC001', incidentKey: `${id}/U0RESPOND2` });
    expect(await run(`page ${id} payments`)).toContain('has already paged payments');
    expect(await run(`page ${id} billing`)).toContain('There is no PagerDuty service `billing`');
    await run(`ack ${id}`);
    await waitFor(() => pd.rest.incidents.filter((i) => i.status === 'acknowledged').length === 2, 10_000, 'REST acks');
    await waitFor(() => pd.events.open(PAYMENTS_KEY, id)?.status === 'acknowledged', 10_000, 'the event ack');
  });

  it('says who is on call now, with their level and until when', async () => {
    const all = await run('oncall');
    expect(all).toContain('Level 1: <@U0RESPOND1> (Remy Martin), until');
    expect(all).toContain('Level 2: Zed &lt;!channel&gt; Nobody, permanently');
    const ledger = await run('oncall ledger');
    expect(ledger).toContain('On call now for ledger');
    expect(ledger).toContain('<@U0RESPOND2> (Ola Nordmann)');
    expect(ledger).not.toContain('Remy');
  });
});

describe('PagerDuty webhooks', () => {
  const send = (event: Record<string, unknown>, options: Parameters<typeof deliverWebhook>[2] = { secrets: SECRETS }) =>
    deliverWebhook(h.bot.url, event, options);
  const rows = async () => Number((await h.sql.query('SELECT count(*) n FROM timeline')).rows[0].n);

  it('an acknowledgement in PagerDuty acknowledges ours once, however often it is delivered', async () => {
    const id = await declare('P1 Acked from the phone');
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the page');
    const event = incidentEvent(
      'incident.acknowledged',
      { incidentKey: id },
      { id: 'PJANE01', name: 'Jane <@U0DECLARER> Doe' },
    );
    const first = await send(event, { secrets: SECRETS });
    expect(first.status).toBe(200);
    const again = await send(event, { secrets: SECRETS, webhookId: first.webhookId });
    expect(again.status).toBe(200);
    const { rows: acked } = await h.sql.query('SELECT acked_by FROM incidents WHERE id = $1', [id]);
    expect(acked[0].acked_by).toBe('Jane <@U0DECLARER> Doe (PagerDuty)');
    expect(await timeline(id, 'acknowledged')).toEqual([
      expect.objectContaining({ text: 'Acknowledged in PagerDuty by Jane <@U0DECLARER> Doe; escalation stopped' }),
    ]);
    const war = await room(id);
    const posted = await waitFor(() => war.messages.find((m) => m.text.includes('acknowledged')), 10_000, 'the notice');
    expect(posted.text).toContain('Jane &lt;@U0DECLARER&gt; Doe (PagerDuty) acknowledged');
    const shown = await run(`timeline ${id}`);
    expect(shown).toContain('Acknowledged in PagerDuty by Jane &lt;@U0DECLARER&gt; Doe');
    expect(shown).not.toContain('<@U0DECLARER> Doe');
  });

  it('a resolution in PagerDuty is recorded, and the incident stays open for people to resolve', async () => {
    const id = await declare('P1 Resolved over there');
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the page');
    expect((await send(incidentEvent('incident.resolved', { incidentKey: id, number: 77 }))).status).toBe(200);
    const [entry] = await timeline(id, 'pagerduty_resolved');
    expect(entry!.text).toBe(
      'PagerDuty incident #77 resolved by Jane Doe; this incident stays open until someone resolves it here',
    );
    const { rows: open } = await h.sql.query('SELECT status FROM incidents WHERE id = $1', [id]);
    expect(open[0].status).toBe('investigating');
  });

  it('takes a signature by either secret during a rotation, and answers pings and unused events with a 2xx', async () => {
    expect((await send(pingEvent(), { secrets: [SECRETS[1]!] })).status).toBe(200);
    expect((await send(pingEvent(), { secrets: ['retired-secret', SECRETS[0]!] })).status).toBe(200);
    expect((await send(incidentEvent('incident.priority_updated', { incidentKey: 'INC-2000-0101-001' }))).status).toBe(
      200,
    );
    expect((await send(incidentEvent('incident.acknowledged', { incidentKey: 'someone-else' }))).status).toBe(200);
  });

  it('answers an unacknowledgement or a reassignment in PagerDuty with a 2xx and changes nothing here', async () => {
    const id = await declare('P1 Handed around over there');
    await waitFor(() => pd.events.open(DEFAULT_KEY, id), 10_000, 'the page');
    // The declaration's own work (war room, page, on-call) has finished writing before the count.
    const busy = async () =>
      (await h.sql.query(`SELECT 1 FROM effects WHERE incident_id = $1 AND state IN ('pending', 'running')`, [id]))
        .rowCount;
    await waitFor(async () => (await busy()) === 0, 10_000, 'the declaration to settle');
    const before = await rows();
    for (const type of ['incident.unacknowledged', 'incident.reassigned'])
      expect({ type, status: (await send(incidentEvent(type, { incidentKey: id }))).status }).toEqual({
        type,
        status: 200,
      });
    expect(await rows()).toBe(before);
    const { rows: state } = await h.sql.query('SELECT acked_at, status FROM incidents WHERE id = $1', [id]);
    expect(state[0]).toEqual({ acked_at: null, status: 'investigating' });
  });

  it('refuses a bad or missing signature (401), malformed JSON (400) and a body over 1 MB (413), writing nothing', async () => {
    const before = await rows();
    const id = await declare('P2 Not to be touched');
    const baseline = await rows();
    const event = incidentEvent('incident.acknowledged', { incidentKey: id });
    expect((await send(event, { secrets: ['wrong-secret'] })).status).toBe(401);
    expect((await send(event, { secrets: SECRETS, signature: '' })).status).toBe(401);
    expect((await send(event, { secrets: SECRETS, signature: `v0=${signature('x', SECRETS)}` })).status).toBe(401);
    const broken = '{"event": ';
    expect((await send({}, { secrets: SECRETS, body: broken })).status).toBe(400);
    const huge = JSON.stringify({ ...event, padding: 'x'.repeat(1024 * 1024) });
    expect((await send({}, { secrets: SECRETS, body: huge })).status).toBe(413);
    expect(await rows()).toBe(baseline);
    expect(baseline).toBeGreaterThan(before);
    const { rows: still } = await h.sql.query('SELECT acked_at FROM incidents WHERE id = $1', [id]);
    expect(still[0].acked_at).toBeNull();
  });
});
