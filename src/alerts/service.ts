import { UserError } from '../errors.js';
import type { Actor } from '../incident/incident.js';
import type { Policy } from '../incident/policy.js';
import type { Clock } from '../incident/ports.js';
import type { DeclareInput, Outcome } from '../incident/requests.js';
import type { IncidentService } from '../incident/service.js';
import type { AlertGroup, DigestLine, GroupInput } from './alert-group.js';
import type { AlertStore } from './ports.js';
import { declarationKey } from './publisher.js';
import { applyDelivery, prefillOf } from './rules.js';

export interface AlertsDeps {
  readonly store: AlertStore;
  readonly incidents: IncidentService;
  readonly policy: Policy;
  readonly clock: Clock;
  /** Asks for a publishing pass (cards, digest, declarations); never waits for Slack. */
  readonly publish: () => void;
}

/** What the Declare button finds: the form to open, or the incident the group already has. */
export type DeclareStart =
  | { readonly kind: 'form'; readonly group: AlertGroup; readonly prefill: ReturnType<typeof prefillOf> }
  | { readonly kind: 'declared'; readonly incidentId: string };

const GONE =
  'That alert group is no longer known to Firebreak. Check Alertmanager, and declare with `/incident declare`.';

/**
 * Alertmanager's groups in Firebreak: each delivery is merged into its group
 * (by group key and alert fingerprint, so repeats change nothing) in one
 * transaction, then shown and declared by the publisher. Every group can be
 * declared from Slack, once per episode, whoever gets there first.
 */
export function createAlerts(deps: AlertsDeps) {
  const { store, policy } = deps;
  const levels = policy.severities.map((s) => s.level);

  async function groupOf(id: number): Promise<AlertGroup> {
    const group = await store.get(id);
    if (!group) throw new UserError('not_found', GONE);
    return group;
  }

  return {
    /** Records one webhook delivery; Slack and the declaration follow after it is stored. */
    async receive(input: GroupInput): Promise<{ changed: boolean }> {
      const { change } = await store.receive(input, deps.clock.now(), (current) =>
        applyDelivery(current, input, policy.alerts, levels),
      );
      if (change.changed || change.declare) deps.publish();
      return { changed: change.changed };
    },

    /** The Declare button (on a card, or picked from the digest). */
    async startDeclare(groupId: number): Promise<DeclareStart> {
      const group = await groupOf(groupId);
      if (group.incidentId) return { kind: 'declared', incidentId: group.incidentId };
      return { kind: 'form', group, prefill: prefillOf(group) };
    },

    /**
     * Declares the incident of a group from the form. The group's declaration
     * key makes a second declaration (another person, or the auto-declaration)
     * return the first incident instead of a new one.
     */
    async declare(
      groupId: number,
      episode: number,
      input: DeclareInput,
      actor: Actor,
      channelId: string,
    ): Promise<Outcome> {
      const group = await groupOf(groupId);
      if (group.episode !== episode)
        throw new UserError(
          'conflict',
          'That alert group has ended and fired again since the form opened; use its new card.',
        );
      if (group.incidentId) {
        const incident = await deps.incidents.find({ id: group.incidentId }, { actor, channelId });
        return { incident, duplicate: true, failures: [], pending: false };
      }
      const outcome = await deps.incidents.declare(input, { actor, channelId, idempotencyKey: declarationKey(group) });
      await store.tie(group.id, group.episode, outcome.incident.id, deps.clock.now());
      deps.publish();
      return outcome;
    },

    /** Groups of a digest for its picker: firing ones without an incident, matching what was typed. */
    options(digestId: number, query: string): Promise<DigestLine[]> {
      return store.search(digestId, query.trim().slice(0, 100), 100);
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
