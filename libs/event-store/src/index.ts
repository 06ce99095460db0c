export * from './lib/event-store.port.js';
export * from './lib/event-store.errors.js';
export { LIMITS, assertJson, matchesFilter } from './lib/event-store.validation.js';
export { checkExpectedRevision } from './lib/expected-revision.js';
export { EVENTS_TABLE_DDL, SqliteEventStore, type SqliteEventStoreOptions, type StoredEvent } from './lib/sqlite/sqlite-event-store.js';
export { createEventStore, type EventStoreConfig } from './lib/create-event-store.js';
