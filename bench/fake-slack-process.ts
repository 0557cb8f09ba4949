/**
 * Runs the fake Slack in its own process for the bench, so its work does not share the bot's event loop.
 * `--limits` turns on Slack's rate limits, at Slack's own speed.
 */
import { FakeSlack } from '../test/support/fake-slack/server.js';

const slack = await new FakeSlack().start();
for (const n of [4, 5, 6, 7]) slack.addUser(`U0PEOPLE0${n}`, `person${n}`);
if (process.argv.includes('--limits')) slack.limitRates(1);
process.stdout.write(`${JSON.stringify({ url: slack.url, token: slack.token })}\n`);
process.on('SIGTERM', () => void slack.stop().then(() => process.exit(0)));
