/** Runs the fake Slack in its own process for the bench, so its work does not share the bot's event loop. */
import { FakeSlack } from '../test/support/fake-slack.js';

const slack = await new FakeSlack().start();
process.stdout.write(`${JSON.stringify({ url: slack.url, token: slack.token })}\n`);
process.on('SIGTERM', () => void slack.stop().then(() => process.exit(0)));
