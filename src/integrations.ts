/**
 * The PagerDuty and Alertmanager part of the composition root: `main.ts`
 * calls these two functions and nothing else does. Kept apart so main.ts
 * stays one screen of wiring.
 */

import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import { createAlertPublisher } from './alerts/publisher.js';
import { createAlerts } from './alerts/service.js';
import type { Config } from './config.js';
import { alertmanagerRoute } from './http/alertmanager-route.js';
import type { Route } from './http/health.js';
import { pagerDutyRoute } from './http/pagerduty-route.js';
import { createPageRules } from './incident/page-rules.js';
import { createPagerDutyFeedback } from './incident/pagerduty-feedback.js';
import { createPaging } from './incident/paging.js';
import { createPagingEffects } from './incident/paging-effects.js';
import type { Chat, Clock, IncidentStore } from './incident/ports.js';
import type { IncidentService } from './incident/service.js';
import type { Jobs } from './jobs/queue.js';
import type { Logger } from './log.js';
import { createPagerDutyDirectory } from './pagerduty/directory.js';
import { createEventsApi } from './pagerduty/events.js';
import { createRestClient } from './pagerduty/rest.js';
import { parseWebhookEvent, verifySignature } from './pagerduty/webhook.js';
import { createAlertOutbox } from './postgres/alert-outbox-store.js';
import { createAlertStore } from './postgres/alert-store.js';
import { createPageStore } from './postgres/page-store.js';
import { createAlertChat } from './slack/alert-chat.js';
import { createSlackDirectory } from './slack/directory.js';
import type { Pacer } from './slack/pacer.js';
import { createSlackPeople } from './slack/people.js';

interface Base {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly store: IncidentStore;
  readonly web: WebClient;
  readonly chat: Chat;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The PagerDuty adapters and the paging rules, which the effect runner and the incident service need. */
export function wirePaging({ config, pool, store, web, chat, clock }: Base) {
  const pd = config.pagerduty;
  const pages = createPageStore(pool);
  const people = createSlackPeople(web);
  const pagerduty =
    pd?.token && createPagerDutyDirectory(createRestClient({ token: pd.token, from: pd.from, url: pd.apiUrl }));
  const reach = pd && {
    policy: config.policy.pagerduty,
    events: !!pd.routingKey,
    rest: !!pd.token,
    writes: !!(pd.token && pd.from),
  };
  const effects = createPagingEffects({
    store,
    pages,
    pager: pd?.routingKey ? createEventsApi({ url: pd.eventsUrl }) : undefined,
    pagerduty: pagerduty || undefined,
    people,
    chat,
    names: createSlackDirectory(web),
    clock,
    policy: config.policy,
    defaultRoutingKey: pd?.routingKey,
  });
  return { pages, people, pagerduty: pagerduty || undefined, reach, effects, rules: createPageRules(reach) };
}

export type PagingWiring = ReturnType<typeof wirePaging>;

/** The paging and alert services, their publisher and their webhook routes. */
export function wireIntegrations(
  base: Base & {
    readonly paging: PagingWiring;
    readonly service: IncidentService;
    readonly jobs: Jobs;
    readonly pacer: Pacer;
    readonly botUserId: () => Promise<string | undefined>;
  },
) {
  const { config, pool, store, web, chat, clock, log, paging: wired, service } = base;
  const paging = createPaging({
    incidents: service,
    pages: wired.pages,
    pagerduty: wired.pagerduty,
    people: wired.people,
    clock,
    policy: config.policy,
    reach: wired.reach,
  });
  const feedback = createPagerDutyFeedback({
    incidents: service,
    store,
    pages: wired.pages,
    clock,
    policy: config.policy,
  });
  const alertStore = createAlertStore(pool);
  const publisher = createAlertPublisher({
    groups: alertStore,
    outbox: createAlertOutbox(pool, { leaseMs: config.effectLeaseMs }),
    chat: createAlertChat(web, {
      channel: config.slack.incidentsChannel,
      findChannel: (name) => chat.findChannel(name),
      policy: config.policy,
      pacer: base.pacer,
    }),
    incidents: service,
    timers: base.jobs.alertTimers,
    clock,
    log,
    declarer: base.botUserId,
  });
  const alerts = createAlerts({
    store: alertStore,
    incidents: service,
    policy: config.policy,
    clock,
    publish: () => void publisher.run(),
  });
  const secrets = config.pagerduty?.webhookSecrets ?? [];
  const routes: Route[] = [
    alertmanagerRoute({ token: config.alertmanager.token, receive: (group) => alerts.receive(group), log }),
    pagerDutyRoute({
      enabled: secrets.length > 0,
      verify: (raw, signature) => verifySignature(raw, signature, secrets),
      parse: parseWebhookEvent,
      handle: (event, webhookId) => feedback.handle(event, webhookId),
      log,
    }),
  ];
  return { paging, alerts, publisher, routes };
}
