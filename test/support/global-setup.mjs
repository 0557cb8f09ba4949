/** Names this run, so its databases and Redis keys are its own and are cleaned up after it. */
export default async function globalSetup() {
  process.env.FIREBREAK_TEST_RUN ??= `r${process.pid.toString(36)}${Date.now().toString(36)}`;
}
