import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { blockAction, viewSubmission } from '../../src/playground/slack/payloads.js';
import { amAlert, amGroup, postAlerts } from '../support/alertmanager.js';
import { type Harness, startHarness, waitFor } from '../support/harness.js';
import { policyFile } from '../support/policies.js';
import { proxiedDatabase, type TcpProxy } from '../support/tcp-proxy.js';

const TOKEN = 'alertmanager-token-0123456789';
const BEARER = `Bearer ${TOKEN}`;
const POLICY = `severities:
  P1:
    description: Major feature unavailable
    warRoom: true
    updateEvery: 1h
  P2:
    description: Minor feature impact
    updateEvery: 1h
  P3:
    description: Cosmetic
    updateEvery: 1h
alerts:
  severityLabel: severity
  levels: { critical: P1, warning: P3 }
  autoDeclare: [P1]
`;

let h: Harness;
let proxy: TcpProxy;
let db: Awaited<ReturnType<typeof proxiedDatabase>>['db'];
let url: string;
/** Straight to Postgres, for assertions that must work while the bot's connection is cut. */
let direct: pg.Pool;
let clicks = 0;

beforeAll(async () => {
  ({ db, proxy, url } = await proxiedDatabase());
  h = await startHarness({
    databaseUrl: url,
    env: { ALERTMANAGER_TOKEN: TOKEN, INCIDENT_POLICY: policyFile(POLICY) },
  });
  direct = new pg.Pool({ connectionString: db.url, max: 2 });
  direct.on('error', () => undefined);
});
afterAll(async () => {
  await h.stop();
  await direct.end();
  await proxy.stop();
  await db.drop();
});

const post = (body: unknown, auth: string | undefined = BEARER) => postAlerts(h.bot.url, body, auth);
const incidents = () => h.slack.channelByName('incidents')!;
const cardsOf = (title: string) =>
  incidents().messages.filter((m) => m.text.startsWith('Alert (') && m.text.includes(title));
const blocksOf = (m: { blocks?: unknown }) => JSON.stringify(m.blocks);
const count = async (table: string) => Number((await direct.query(`SELECT count(*) n FROM ${table}`)).rows[0].n);
const updatesOf = (ts: string) => h.slack.callsTo('chat.update').filter((c) => c.params.ts === ts).length;

describe('alert cards', () => {
  const disk = (status: 'firing' | 'resolved', instance: string) =>
    amAlert(
      'DiskFilling',
      status,
      { severity: 'warning', instance, team: 'storage' },
      { summary: `Disk on ${instance} is 95% full` },
    );

  it('posts one card per group, leaves it alone on a repeat, updates it as alerts resolve, and marks it resolved', async () => {
    const firing = amGroup({ alertname: 'DiskFilling' }, [disk('firing', 'db-1'), disk('firing', 'db-2')]);
    expect((await post(firing)).status).toBe(200);
    const card = await waitFor(() => cardsOf('DiskFilling')[0], 10_000, 'the card');
    expect(card.text).toBe('Alert (P3, 2 firing): DiskFilling');
    const blocks = blocksOf(card);
    expect(blocks).toContain('Disk on db-1 is 95% full');
    expect(blocks).toContain('instance=db-1');
    expect(blocks).toContain('<http://prometheus.example:9090/graph?g0.expr=up%3D%3D0&amp;g0.tab=1|source>');
    expect(blocks).toContain('"action_id":"alert_declare"');
    // Alertmanager re-sends the group every group_interval: nothing changes, nothing is sent to Slack.
    expect((await post(firing)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 700));
    expect(updatesOf(card.ts)).toBe(0);
    await post(amGroup({ alertname: 'DiskFilling' }, [disk('resolved', 'db-1'), disk('firing', 'db-2')]));
    await waitFor(() => cardsOf('DiskFilling')[0]!.text === 'Alert (P3, 1 firing): DiskFilling', 10_000, 'the update');
    await post({ ...amGroup({ alertname: 'DiskFilling' }, [disk('resolved', 'db-2')]), status: 'resolved' });
    await waitFor(() => cardsOf('DiskFilling')[0]!.text === 'Alert (P3, resolved): DiskFilling', 10_000, 'resolved');
    expect(blocksOf(cardsOf('DiskFilling')[0]!)).not.toContain('alert_declare');
    expect(cardsOf('DiskFilling')).toHaveLength(1);
  });

  it('escapes and cuts what Alertmanager sends, so nothing becomes a mention, a disguised link or code', async () => {
    const hostile = amAlert(
      'Hostile',
      'firing',
      { severity: 'warning', owner: '<http://evil.example|http://good.example>', long: 'y'.repeat(5_000) },
      { summary: '<!channel> wake up `rm -rf` & <@U0DECLARER>', description: 'x' },
      'http://prometheus.example/graph?g0.expr=a|b>c',
    );
    const sneaky = amAlert('Hostile', 'firing', { severity: 'warning', n: '2' }, {}, 'javascript:alert(1)');
    await post(amGroup({ alertname: 'Hostile' }, [hostile, sneaky]));
    const card = await waitFor(() => cardsOf('Hostile')[0], 10_000, 'the card');
    const blocks = blocksOf(card);
    expect(blocks).not.toMatch(/<!channel>|<@U0DECLARER>|<http:\/\/evil/);
    expect(blocks).toContain('&lt;!channel&gt; wake up ˋrm -rfˋ &amp; &lt;@U0DECLARER&gt;');
    expect(blocks).toContain('&lt;http://evil.example|http://good.example&gt;');
    expect(blocks).toContain('<http://prometheus.example/graph?g0.expr=a%7Cb%3Ec|source>');
    expect(blocks).not.toContain('javascript:');
    expect(blocks).not.toContain('y'.repeat(100));
  });
});

describe('declaring from alerts', () => {
  const api = (status: 'firing' | 'resolved', pod: string) =>
    amAlert('ApiDown', status, { severity: 'critical', pod, service: 'api' }, { summary: 'The API answers 503' });

  it('declares a group at an autoDeclare level at once, once however often it arrives, and puts its alerts on the timeline', async () => {
    const body = amGroup({ alertname: 'ApiDown' }, [api('firing', 'api-1'), api('firing', 'api-2')]);
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const row = await waitFor(
      async () =>
        (await direct.query(`SELECT id, severity, title, services FROM incidents WHERE title LIKE 'ApiDown%'`)).rows[0],
      10_000,
      'the incident',
    );
    expect(row).toMatchObject({ severity: 'P1', title: 'ApiDown', services: ['api'] });
    await post(body);
    await waitFor(
      () => cardsOf('ApiDown')[0] && blocksOf(cardsOf('ApiDown')[0]!).includes(`Declared as *${row.id}*`),
      10_000,
      'card',
    );
    await post(amGroup({ alertname: 'ApiDown' }, [api('resolved', 'api-1'), api('firing', 'api-2')]));
    await post({ ...amGroup({ alertname: 'ApiDown' }, [api('resolved', 'api-2')]), status: 'resolved' });
    const entries = await waitFor(
      async () => {
        const { rows } = await direct.query(
          `SELECT kind, text FROM timeline WHERE incident_id = $1 AND kind LIKE 'alert%' ORDER BY id`,
          [row.id],
        );
        return rows.length >= 4 ? (rows as { text: string }[]) : undefined;
      },
      10_000,
      'the alert entries',
    );
    expect(entries.map((e) => e.text)).toEqual([
      'Alertmanager group: ApiDown (2 firing)',
      'Alert resolved: ApiDown (pod=api-1)',
      'Alert resolved: ApiDown (pod=api-2)',
      'Every alert of the group is resolved',
    ]);
    expect((await direct.query(`SELECT count(*) n FROM incidents WHERE title LIKE 'ApiDown%'`)).rows[0].n).toBe('1');
    expect(cardsOf('ApiDown')).toHaveLength(1);
  });

  it('the Declare button opens the declare form prefilled, declares the group’s one incident, and says so after', async () => {
    const body = amGroup({ alertname: 'QueueBacklog' }, [
      amAlert(
        'QueueBacklog',
        'firing',
        { severity: 'warning', service: 'billing' },
        { summary: 'Billing queue is 10k behind' },
      ),
    ]);
    await post(body);
    const card = await waitFor(() => cardsOf('QueueBacklog')[0], 10_000, 'the card');
    const button = (card.blocks as { type: string; elements?: { value: string }[] }[]).find(
      (b) => b.type === 'actions',
    )!;
    const click = async () => {
      const path = `/respond/alert-click-${++clicks}`;
      await h.interact(
        blockAction({
          actionId: 'alert_declare',
          value: button.elements![0]!.value,
          user: 'U0RESPOND1',
          channel: incidents().id,
          messageTs: card.ts,
          responseUrl: `${h.slack.url}${path}`,
          triggerId: h.slack.issueTrigger(),
          blockId: 'alert_actions',
        }),
      );
      return path;
    };
    const opened = h.slack.callsTo('views.open').length;
    await click();
    const view = (await waitFor(() => h.slack.callsTo('views.open')[opened]?.params.view, 5_000, 'the form')) as Record<
      string,
      unknown
    >;
    expect(view.callback_id).toBe('declare_from_alert');
    const json = JSON.stringify(view.blocks);
    expect(json).toContain('"initial_value":"QueueBacklog"');
    expect(json).toContain('"initial_value":"Billing queue is 10k behind"');
    expect(json).toContain('"initial_value":"billing"');
    expect(json).toContain('"initial_option":{"text":{"type":"plain_text","text":"P3: Cosmetic"},"value":"P3"}');
    const submitted = await h.interact(
      viewSubmission(
        { ...view, id: 'VALERT0001', bot_id: 'B0FIREBOT1' },
        {
          severity: { severity: { type: 'static_select', selected_option: { value: 'P2' } } },
          title: { title: { type: 'plain_text_input', value: 'Billing queue backlog' } },
          impact: { impact: { type: 'plain_text_input', value: 'Invoices are late' } },
          services: { services: { type: 'plain_text_input', value: 'billing' } },
        },
        'U0RESPOND1',
      ),
    );
    expect(submitted.status).toBe(200);
    const row = await waitFor(
      async () =>
        (await direct.query(`SELECT id, severity FROM incidents WHERE title = 'Billing queue backlog'`)).rows[0],
      10_000,
      'the incident',
    );
    expect(row.severity).toBe('P2');
    const tiedTo = async () =>
      (await direct.query('SELECT incident_id FROM alert_groups WHERE group_key = $1', [body.groupKey])).rows[0]
        .incident_id;
    expect(await waitFor(tiedTo, 5_000, 'the group tied to it')).toBe(row.id);
    const again = await click();
    expect(await h.reply(again)).toContain(`already declared as *${row.id}*`);
  });
});

describe('what Alertmanager gets back', () => {
  const ok = amGroup({ alertname: 'Refused' }, [amAlert('Refused', 'firing', { severity: 'warning' })]);

  it('refuses what will never be valid with the right 4xx, and writes nothing', async () => {
    const before = await count('alert_groups');
    expect((await post(ok, '')).status).toBe(401);
    expect((await post(ok, 'Bearer wrong-token-0000000000')).status).toBe(401);
    expect((await post('{"version": "4", ')).status).toBe(400);
    const unknown = await post({ ...ok, version: '5' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('version \\"5\\" is not one Firebreak reads');
    expect((await post({ ...ok, padding: 'x'.repeat(1024 * 1024) })).status).toBe(413);
    expect(await count('alert_groups')).toBe(before);
    const basic = `Basic ${Buffer.from(`alertmanager:${TOKEN}`).toString('base64')}`;
    expect((await post(ok, basic)).status).toBe(200);
    expect(await count('alert_groups')).toBe(before + 1);
  });

  it('answers 503 while Postgres is down, so Alertmanager retries, and takes the retry once it is back', async () => {
    const body = amGroup({ alertname: 'WhileDown' }, [amAlert('WhileDown', 'firing', { severity: 'warning' })]);
    proxy.cut();
    try {
      expect((await post(body)).status).toBe(503);
    } finally {
      proxy.restore();
    }
    expect(await count(`alert_groups WHERE title = 'WhileDown'`)).toBe(0);
    await waitFor(async () => (await post(body)).status === 200, 10_000, 'the retry to be taken');
    // Shown as a card, or in the digest if the suite's cards came faster than the channel takes them.
    const shown = () =>
      incidents().messages.find((m) => m.text.startsWith('Alert') && blocksOf(m).includes('WhileDown'));
    await waitFor(shown, 10_000, 'the group in Slack');
  });

  it('without PagerDuty configured, /incident page says plainly that paging is not set up', async () => {
    const reply = await h.reply((await h.command('page payments')).responseUrl);
    expect(reply).toContain('Paging is not set up');
    expect(await h.reply((await h.command('oncall')).responseUrl)).toContain('Paging is not set up');
  });
});
