/**
 * The record part of the composition root (captured messages, notes,
 * follow-ups, stats, reports): `main.ts` calls this and nothing else does.
 */

import type pg from 'pg';
import type { Config } from './config.js';
import type { Clock, Directory, IncidentStore } from './incident/ports.js';
import { createPostmortems } from './incident/postmortem.js';
import { createRecordService } from './incident/record-service.js';
import { createScribe } from './incident/scribe.js';
import type { IncidentService } from './incident/service.js';
import type { Logger } from './log.js';
import { createRecordStore } from './postgres/record-store.js';
import { createStatsStore } from './postgres/stats-store.js';
import { plainText, userIdsIn } from './slack/mentions.js';

interface RecordBase {
  readonly config: Config;
  readonly pool: pg.Pool;
  readonly store: IncidentStore;
  readonly service: IncidentService;
  /** The Slack directory, whose cached names every message shares. */
  readonly directory: Directory;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The scribe, the record service and the report drafts, over one record store and one Slack directory. */
export function wireRecord({ config, pool, store, service, directory, clock, log }: RecordBase) {
  const recordStore = createRecordStore(pool);
  const stats = createStatsStore(pool, { log });
  // Loaded while the bot starts, so neither the first /metrics scrape nor the first /incident stats waits for it.
  void stats.warm();
  const scribe = createScribe({ store, recordStore, directory, policy: config.policy });
  const recordService = createRecordService({
    incidents: service,
    store,
    recordStore,
    stats,
    directory,
    clock,
    policy: config.policy,
  });
  const postmortems = createPostmortems({
    incidents: service,
    store,
    recordStore,
    directory,
    clock,
    incidentsChannel: config.slack.incidentsChannel,
    chatText: { plain: plainText, people: (text) => [...userIdsIn(text)] },
  });
  return { directory, scribe, recordService, postmortems };
}
