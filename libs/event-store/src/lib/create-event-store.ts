import { join } from 'node:path';
import type { EventStore } from './event-store.port.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';
import { EsdbEventStore } from './esdb/esdb-event-store.js';

export interface EventStoreConfig {
  /** `esdb://…` or `kurrentdb://…` selects EventStoreDB; unset selects the embedded SQLite file. */
  eventStoreUrl?: string;
  /** Where the embedded store keeps `events.db`. */
  dataDir: string;
}

/** Chooses the adapter from configuration (`EVENT_STORE_URL`, `DATA_DIR`). */
export function createEventStore(config: EventStoreConfig): EventStore {
  const url = config.eventStoreUrl?.trim();
  if (url) {
    if (!/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kurrent|kurrent\+discover):\/\//.test(url)) {
      throw new Error(`EVENT_STORE_URL must start with esdb:// or kurrentdb:// (got "${url}")`);
    }
    return EsdbEventStore.fromConnectionString(url);
  }
  return new SqliteEventStore({ path: join(config.dataDir, 'events.db') });
}
