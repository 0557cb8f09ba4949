/** Paths the tests read, found from this file rather than the working directory, so any cwd works. */

/** This file's grandparent: the repository, or `dist/` when the bench runs the compiled copy. */
const above = new URL('../../', import.meta.url);

/** The repository's root directory, as a file URL ending in `/`. */
export const REPO = above.pathname.endsWith('/dist/') ? new URL('../', above) : above;

/** `../shared/test-data/slack/` beside the repository: the independent Slack references. */
export const SLACK_TEST_DATA = new URL('../shared/test-data/slack/', REPO);
