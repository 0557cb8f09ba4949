export default async function globalSetup(): Promise<void> {
  process.env.FIREBREAK_TEST_RUN ??= `r${process.pid}${Date.now().toString(36)}`;
}
