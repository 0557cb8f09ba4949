import { existsSync } from 'node:fs';

/** Paths the tests read, found from this file rather than the working directory, so any cwd works. */

/**
 * The repository's root directory, as a file URL ending in `/`: the nearest folder above this
 * file with a package.json, so it is the same from the sources (jest) and from dist/ (the bench).
 */
export const REPO = (() => {
  let dir = new URL('./', import.meta.url);
  while (!existsSync(new URL('package.json', dir)) && dir.pathname !== '/') dir = new URL('../', dir);
  return dir;
})();

/** `../shared/test-data/slack/` beside the repository: the independent Slack references. */
export const SLACK_TEST_DATA = new URL('../shared/test-data/slack/', REPO);
