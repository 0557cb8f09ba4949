/**
 * A connection for each database the shipped playbooks name, so a bot with `playbooks/` boots: the
 * boot refuses a playbook whose database has none. They point at a closed port on loopback, so a
 * test that never means to reach them fails fast and plainly if it does.
 */
export const SHIPPED_DIAG_ENV: Readonly<Record<string, string>> = {
  DIAG_DATABASE_ADAPTIVE_LEARNING_URL: 'postgres://firebreak_diag@127.0.0.1:9/adaptive_learning',
  DIAG_DATABASE_AI_DEVELOPMENT_URL: 'postgres://firebreak_diag@127.0.0.1:9/ai_development',
  DIAG_DATABASE_EDUCATION_URL: 'postgres://firebreak_diag@127.0.0.1:9/education',
  DIAG_DATABASE_STUDYTEDDY_URL: 'postgres://firebreak_diag@127.0.0.1:9/studyteddy',
};
