/** Paths the tests read, found from this file rather than the working directory, so any cwd works. */

/** The repository's root directory, as a file URL ending in `/`. */
export const REPO = new URL('../../', import.meta.url);

/** `../shared/test-data/slack/` beside the repository: the independent Slack references. */
export const SLACK_TEST_DATA = new URL('../shared/test-data/slack/', REPO);
