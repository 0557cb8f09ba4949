/** The floor for the ack bench, in its own process like the bot: a Bolt app whose /incident listener only acks. */
import { bareBolt } from './support.js';

const floor = await bareBolt((app) => app.command('/incident', async ({ ack }) => ack()));
process.stdout.write(`${JSON.stringify({ url: floor.url })}\n`);
process.on('SIGTERM', () => void floor.stop().then(() => process.exit(0)));
