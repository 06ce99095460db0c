import { join } from 'node:path';
import { MongoReadModelStore } from './mongodb/mongo-read-model-store.js';
import type { ReadModelStore } from './read-models.port.js';
import { SqliteReadModelStore } from './sqlite/sqlite-read-model-store.js';

export interface ReadModelStoreConfig {
  /** `mongodb://…` or `mongodb+srv://…` selects MongoDB (`READ_MODEL_URL`); unset selects SQLite. */
  readModelUrl?: string;
  /** Where the embedded store keeps `read-models.db` (`DATA_DIR`). */
  dataDir: string;
}

/** Chooses the adapter from configuration. Neither connects to anything before first use. */
export function createReadModelStore(config: ReadModelStoreConfig): ReadModelStore {
  const url = config.readModelUrl?.trim();
  if (url) {
    if (!/^mongodb(\+srv)?:\/\//.test(url)) {
      throw new Error(
        `READ_MODEL_URL must start with mongodb:// or mongodb+srv:// (got "${url}"); leave it unset for the embedded SQLite store`,
      );
    }
    return MongoReadModelStore.fromConnectionString(url);
  }
  return new SqliteReadModelStore({ path: join(config.dataDir, 'read-models.db') });
}
