import type { FakeCluster } from './kube/cluster.js';
import type { FakePagerDuty } from './pagerduty/server.js';
import type { Replies } from './slack/replies.js';
import { BOT_USER, type SlackWorkspace } from './slack/workspace.js';

/** The role each person plays in the playground, shown beside their name in the person switcher. */
export type Roles = ReadonlyMap<string, string>;

/**
 * Everything the page shows, as one JSON document it polls: people, channels
 * (with messages, pins and reactions), the ephemeral messages and open views
 * of each person, the simulated cluster's deployments and PagerDuty's alerts.
 */
export function pageState(deps: {
  readonly workspace: SlackWorkspace;
  readonly replies: Replies;
  readonly cluster: FakeCluster;
  readonly pagerduty: FakePagerDuty | undefined;
  readonly roles: Roles;
}) {
  const { workspace, cluster } = deps;
  return {
    bot: BOT_USER,
    users: [...workspace.users.values()].map((u) => ({
      id: u.id,
      name: u.name,
      realName: u.real_name,
      role: deps.roles.get(u.id) ?? (u.id === BOT_USER ? 'bot' : ''),
    })),
    channels: [...workspace.channels.values()].map((c) => ({
      id: c.id,
      name: c.name,
      isIm: c.is_im,
      topic: c.topic,
      members: [...c.members],
      pins: [...c.pins],
      messages: c.messages.map((m) => ({
        ts: m.ts,
        user: m.user,
        text: m.text,
        blocks: m.blocks ?? null,
        threadTs: m.thread_ts ?? null,
        reactions: m.reactions ?? [],
        files: (m.files ?? []).map((id) => ({ id, title: workspace.files.get(id)?.title ?? id })),
        edited: !!m.edited,
      })),
    })),
    ephemerals: deps.replies.ephemerals,
    modals: Object.fromEntries(workspace.modals),
    deployments: cluster.list('deployments').map((d) => ({
      namespace: d.metadata.namespace,
      name: d.metadata.name,
      image: d.spec.template.spec.containers.map((c: { image: string }) => c.image).join(', '),
      revision: d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '',
      desired: d.spec.replicas,
      ready: d.status?.readyReplicas ?? 0,
      updated: d.status?.updatedReplicas ?? 0,
    })),
    alerts: (deps.pagerduty?.events.alerts ?? []).map((a) => ({
      dedupKey: a.dedupKey,
      status: a.status,
      summary: (a.trigger.payload as { summary?: string } | undefined)?.summary ?? '',
    })),
  };
}
