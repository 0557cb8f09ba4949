/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { REPO } from '../support/paths.js';
import { startPlaygroundProcess } from '../support/playground-process.js';

/**
 * SLOW (about 30-60 s): the playground as a new user meets it, `npm start` with no Slack settings, driven
 * in Debian's headless Chromium (`.ci/run` installs it when missing; nothing downloads a browser). One
 * whole incident goes through the page, each act reaching the real bot as Slack would send it. Screenshots
 * of the key moments land in test-output/playground/.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = new URL('test-output/playground/', REPO).pathname;
const PEOPLE = { ic: 'U0PLAYIC01', requester: 'U0PLAYRQ01', approver: 'U0PLAYAP01', responder: 'U0PLAYRS01' };

let playground: Awaited<ReturnType<typeof startPlaygroundProcess>>;
let browser: Browser;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: \`apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH`,
    );
  mkdirSync(OUT, { recursive: true });
  playground = await startPlaygroundProcess();
  const url = await playground.ready();
  profile = mkdtempSync(join(tmpdir(), 'firebreak-chromium-'));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
    defaultViewport: { width: 1400, height: 900 },
  });
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  // A failing event handler (an unhandled rejection) shows only as a console error.
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(url);
  await page.waitForSelector('#channels button[data-channel-name="incidents"]');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await playground?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });

/** Switches the person the page acts as. */
const actAs = (user: string) => page.select('#person', user);

/** Types into the composer and sends with Enter, as a person would; waits until the composer takes it. */
async function type(text: string): Promise<void> {
  await page.click('#composer-text');
  await page.type('#composer-text', text);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      (document.getElementById('composer-text') as HTMLTextAreaElement).value === '' ||
      document.getElementById('composer-error')!.textContent !== '',
  );
  expect(await page.$eval('#composer-error', (e) => e.textContent)).toBe('');
}

/** Waits until the open channel shows a message (or an ephemeral reply) containing `text`. */
const seeMessage = (text: string, ms = 15_000) =>
  page.waitForFunction(
    (t) => [...document.querySelectorAll('#messages .message')].some((m) => m.textContent!.includes(t)),
    { timeout: ms },
    text,
  );

/** The row of a deployment in the cluster panel, as its cells read. */
const deployment = (ref: string) =>
  page.$eval(`#deployments tr[data-deployment="${ref}"]`, (tr) => ({
    image: tr.querySelector('.image')!.textContent,
    revision: tr.querySelector('.revision')!.textContent,
    ready: tr.querySelector('.ready')!.textContent,
  }));

describe('the playground in a browser', () => {
  it('runs a whole incident through the page: declare, update, a rollback approved by another person, a pin, resolve, postmortem', async () => {
    // Declare as the IC in #incidents: the war room appears, with the incident card pinned in it.
    await actAs(PEOPLE.ic);
    await type('/incident declare P1 Checkout is failing');
    // The announcement names the war room once it is open; a click on its name opens it, as in Slack.
    const roomLink = await page.waitForSelector('#messages .mention.channel', { timeout: 15_000 });
    await shot('00-declared');
    await roomLink!.click();
    await page.waitForFunction(() => document.getElementById('channel-name')!.textContent!.startsWith('# inc-'));
    expect(await page.$('#channels button.active[data-channel-name^="inc-"]')).not.toBeNull();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#messages .message')].some(
        (m) => m.textContent!.includes('pinned') && m.textContent!.includes('Checkout is failing'),
      ),
    );
    expect(await page.$eval('#channel-topic', (e) => e.textContent)).toMatch(/IC @?dana/);
    await shot('01-war-room');

    // Post an update through the card's button: a modal opens, its submit is a real view_submission.
    await page.click('button[data-action-id="open_update_modal"]');
    await page.waitForSelector('#modal');
    await page.type(
      '#modal textarea[data-block-id="u_progress"], #modal input[data-block-id="u_progress"]',
      'Error rate at 30% since the 14:05 deploy of api-gateway',
    );
    await page.click('#modal-submit');
    await page.waitForFunction(() => document.getElementById('modal-layer')!.hidden);
    await seeMessage('Error rate at 30% since the 14:05 deploy of api-gateway');

    // The requester asks for a rollback; the card offers Approve behind a confirm dialog.
    await actAs(PEOPLE.requester);
    const before = await deployment('ai-development/api-gateway');
    expect(before).toEqual({ image: 'api-gateway:1.5.0', revision: '2', ready: '2/2' });
    await type('/incident run rollback-deployment namespace=ai-development deployment=api-gateway');
    const approve = await page.waitForSelector('button[data-action-id="runbook_approve"]', { timeout: 20_000 });
    await approve!.scrollIntoView();
    await shot('02-approval-card');

    // The requester's own Approve is refused, where only they see it; nothing changes.
    await approve!.click();
    await page.waitForSelector('#confirm');
    await page.click('#confirm-ok');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#messages .message.ephemeral')].some((m) =>
          m.textContent!.includes('someone else must approve it'),
        ),
      { timeout: 15_000 },
    );
    expect(await deployment('ai-development/api-gateway')).toEqual(before);

    // Another person, the approver, approves: the deployment rolls back to the previous revision's image.
    await actAs(PEOPLE.approver);
    await page.click('button[data-action-id="runbook_approve"]');
    await page.waitForSelector('#confirm');
    await page.click('#confirm-ok');
    await page.waitForFunction(
      () =>
        document.querySelector('#deployments tr[data-deployment="ai-development/api-gateway"] .image')!.textContent ===
        'api-gateway:1.4.0',
      { timeout: 30_000 },
    );
    await page.evaluate(() => {
      const box = document.getElementById('messages')!;
      box.scrollTop = box.scrollHeight;
    });
    await shot('03-rolling-back');
    await page.waitForFunction(
      () => {
        const row = document.querySelector('#deployments tr[data-deployment="ai-development/api-gateway"]')!;
        return row.querySelector('.ready')!.textContent === '2/2' && !row.classList.contains('rolling');
      },
      { timeout: 30_000 },
    );
    expect(await deployment('ai-development/api-gateway')).toEqual({
      image: 'api-gateway:1.4.0',
      revision: '3',
      ready: '2/2',
    });
    await page.waitForFunction(() => !document.querySelector('button[data-action-id="runbook_approve"]'), {
      timeout: 20_000,
    });
    await shot('04-rolled-back');

    // A responder's message, pinned, goes to the incident's timeline.
    await actAs(PEOPLE.responder);
    await type('Error rate back under 1% after the rollback');
    await seeMessage('Error rate back under 1% after the rollback');
    const message = (await page.evaluateHandle(() =>
      [...document.querySelectorAll('#messages .message')].findLast((m) =>
        m.textContent!.includes('Error rate back under 1%'),
      ),
    )) as unknown as ElementHandle<Element>;
    await message.hover();
    const pin = await message.$('button.pin');
    await pin!.click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#messages .message')].some(
        (m) => m.textContent!.includes('Error rate back under 1%') && m.textContent!.includes('pinned'),
      ),
    );
    await actAs(PEOPLE.ic);
    await type('/incident timeline');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#messages .message.ephemeral')].some((m) =>
          m.textContent!.includes('Error rate back under 1% after the rollback'),
        ),
      { timeout: 15_000 },
    );

    // Resolve, then the postmortem: its draft is a file in the war room, opened in the page.
    await type('/incident resolve Rolled back api-gateway to 1.4.0');
    await seeMessage('Resolved');
    await type('/incident postmortem');
    const file = await page.waitForSelector('#messages button.file', { timeout: 20_000 });
    await file!.click();
    await page.waitForSelector('#file-view pre');
    const report = await page.$eval('#file-view pre', (e) => e.textContent!);
    expect(report).toContain('Checkout is failing');
    expect(report).toContain('Error rate back under 1% after the rollback');
    await shot('05-postmortem');
    await page.click('#file-close');
    await page.waitForFunction(() => document.getElementById('confirm-layer')!.hidden);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('declares through the form: a required field left empty is refused in the page, a chosen severity reaches the bot', async () => {
    await actAs(PEOPLE.responder);
    await page.click('#channels button[data-channel-name="incidents"]');
    await type('/incident declare');
    await page.waitForSelector('#modal select[data-block-id="severity"]');
    await page.click('#modal-submit');
    await page.waitForFunction(() =>
      document.querySelector('#modal')!.textContent!.includes('Please complete this required field.'),
    );
    await page.select('#modal select[data-block-id="severity"]', 'P2');
    await page.type('#modal input[data-block-id="title"]', 'Search results are stale');
    await page.click('#modal-submit');
    await page.waitForFunction(() => document.getElementById('modal-layer')!.hidden);
    await seeMessage('Search results are stale');
    const shown = await page.$$eval('#messages .message', (ms) => ms.map((m) => m.textContent!).join('\n'));
    expect(shown).toMatch(/INC-\d{4}-\d{4}-\d{3}.*P2/s);

    // A reply in the announcement's thread shows under it, not at the bottom.
    const announcement = (await page.evaluateHandle(() =>
      [...document.querySelectorAll('#messages .message:not(.ephemeral)')].find((m) =>
        m.textContent!.includes('Search results are stale'),
      ),
    )) as unknown as ElementHandle<Element>;
    await announcement.hover();
    await (await announcement.$('button.tool:last-child'))!.click();
    await type('Looking at the search indexer');
    await page.waitForFunction(() => {
      const reply = [...document.querySelectorAll('#messages .message.reply')].find((m) =>
        m.textContent!.includes('Looking at the search indexer'),
      );
      return reply?.previousElementSibling?.textContent?.includes('Search results are stale');
    });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
