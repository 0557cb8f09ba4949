/** Paths the tests read, found from this file rather than the working directory, so any cwd works. */

/** This file's folder: `test/support/` under jest, `dist/test/support/` when the bench runs it compiled. */
const HERE = new URL('./', import.meta.url);

/** The repository's root directory, as a file URL ending in `/`. */
export const REPO = new URL(HERE.pathname.endsWith('/dist/test/support/') ? '../../../' : '../../', HERE);

/** `../shared/test-data/slack/` beside the repository: the independent Slack references. */
export const SLACK_TEST_DATA = new URL('../shared/test-data/slack/', REPO);
