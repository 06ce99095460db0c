/**
 * The event store port: what the application needs from an append-only log of streams.
 * Adapters (embedded SQLite, EventStoreDB) implement it and are held to one contract suite
 * (`event-store.contract.ts`). Nothing here knows about tickets.
 */

/** JSON values only: what survives a round trip through any store unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Global position in the log: strictly increasing in commit order. On SQLite it is a
 * gap-free counter starting at 1; on EventStoreDB it is the transaction-file position.
 * `0n` means "before the first event".
 */
export type Position = bigint;
export const START: Position = 0n;

/**
 * What the writer expects the stream's current revision to be (revisions start at 0):
 * an exact revision, `no_stream` (the stream must not exist), `stream_exists`, or `any`.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface EventToAppend<D extends JsonObject = JsonObject, M extends JsonObject = JsonObject> {
  /** UUID; generated when absent. EventStoreDB uses it to make retried appends idempotent. */
  id?: string;
  type: string;
  data: D;
  metadata?: M;
}

export interface RecordedEvent<D extends JsonObject = JsonObject, M extends JsonObject = JsonObject> {
  id: string;
  streamId: string;
  revision: number;
  position: Position;
  type: string;
  data: D;
  metadata: M;
  /** When the store committed the event (not the business time of the decision). */
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event written. */
  nextExpectedRevision: number;
  /** Global position of the last event written. */
  position: Position;
}

export interface StreamHead {
  revision: number;
  position: Position;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive; defaults to the start (forwards) or the end (backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Defaults to `START`. */
  after?: Position;
  maxCount?: number;
}

export interface SubscriptionFilter {
  streamPrefixes?: string[];
  eventTypes?: string[];
}

export interface SubscribeToAllOptions {
  /** Exclusive: deliver events strictly after this position (a checkpoint). */
  after?: Position;
  filter?: SubscriptionFilter;
  /** Events fetched per read while catching up; also bounds what is buffered. */
  batchSize?: number;
}

/**
 * A catch-up-then-live subscription. It is pull-based: the store reads the next batch only
 * when the consumer asks for more, so a slow consumer never makes the store buffer the log.
 */
export interface Subscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Throws `StreamNotFoundError` when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /** The stream's last revision and position, or `null` when it does not exist. */
  streamHead(streamId: string): Promise<StreamHead | null>;
  /** Position of the last event in the log (`START` when empty). */
  headPosition(): Promise<Position>;
  close(): Promise<void>;
}
