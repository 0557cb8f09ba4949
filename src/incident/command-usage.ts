/** The usage text, shown by `/incident help` and beside every usage error. */
export function usage(levels: readonly string[]): string {
  const sev = levels.join('|');
  return [
    '*Usage*',
    `• \`/incident declare ${sev} <title>\`: declare an incident (\`/incident declare\` alone opens a form; add \`--drill\` for a drill)`,
    '• `/incident status investigating|identified|monitoring|resolved [text]`',
    '• `/incident update <progress> [next: <next steps>] [eta: <when>]`',
    `• \`/incident severity ${sev}\``,
    '• `/incident role ic|lead|comms|scribe @person`',
    '• `/incident resolve [summary]`',
    '• `/incident snooze 30m`: postpone the update reminder · `/incident ack`: acknowledge, stopping escalation',
    '• `/incident page <service | @person> [message]`: page through PagerDuty · `/incident oncall [service]`: who is on call',
    '• `/incident note <text>` · `/incident timeline [page]` · `/incident started 14:05` (when impact began, your time)',
    '• `/incident followup <action> [@owner] [YYYY-MM-DD | 7d]` · `/incident followups` · `/incident postmortem`',
    '• `/incident playbooks` · `/incident run <playbook> key=value …` · `/incident rollback <namespace>/<deployment> [revision]`',
    '• `/incident stats [30d]` · `/incident list` · `/incident help`',
    'In a war room, commands apply to its incident. Elsewhere, put the ID after the verb: `/incident status INC-2026-1122-001 monitoring`.',
  ].join('\n');
}
