export * from './lib/read-models.port.js';
export { ReadModelQueryError } from './lib/read-model.errors.js';
export { DEFAULT_PAGE_SIZE, DEFAULT_QUEUE_STATUSES, MAX_PAGE_SIZE, encodeBreachCursor, encodeQueueCursor } from './lib/pagination.js';
export { SqliteReadModelStore, type SqliteReadModelStoreOptions } from './lib/sqlite/sqlite-read-model-store.js';
export {
  DEFAULT_MONGO_DATABASE,
  MongoReadModelStore,
  databaseFromUrl,
  type MongoReadModelStoreOptions,
} from './lib/mongodb/mongo-read-model-store.js';
export { createReadModelStore, type ReadModelStoreConfig } from './lib/create-read-model-store.js';
