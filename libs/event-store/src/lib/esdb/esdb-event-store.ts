/**
 * The EventStoreDB (KurrentDB) adapter of the event-store port, over `@eventstore/db-client`.
 *
 * Positions. The port's `Position` is one bigint; EventStoreDB positions are
 * `{ commit, prepare }` offsets in the transaction file. Every event appended over gRPC is
 * written as a "self-committed" prepare record (flag IsCommitted; there is no separate commit
 * record), and the server reports such an event at `{ commit: p, prepare: p }` where `p` is the
 * record's own log position — in `$all` reads, in stream reads (server >= 22.6) and in append
 * results (the position of the append's last record). So:
 *   - port position = commit position; to resume we ask for `{ commit: p, prepare: p }`;
 *   - events of one multi-event append do NOT share a position: each record has its own, so
 *     positions are strictly increasing in `$all` order, and an append returns its last one;
 *   - `$all` reads from a position are inclusive on the server, so `readAll({ after })` and
 *     subscriptions ask from `after` and drop events at or before it (exclusive, as the port
 *     requires). Only positions of real events are ever sent back, so the server never has to
 *     reposition into the middle of a record.
 *   - Events committed by legacy explicit transactions (TCP client API only) share a
 *     commit position and cannot be expressed as one number; meeting one raises
 *     `UnsupportedEsdbPositionError` instead of producing ambiguous checkpoints.
 * Details and sources: docs/event-store-esdb.md ("EventStoreDB positions").
 *
 * System events (`$`-prefixed streams or types: stream metadata, stats, link events) are
 * skipped by `readAll`, `headPosition` and subscriptions; the port only sees application events.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, EventStoreValidationError, StreamNotFoundError } from '../event-store.errors.js';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonObject,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionFilter,
} from '../event-store.port.js';
import { START } from '../event-store.port.js';
import {
  LIMITS,
  matchesFilter,
  prepareAppend,
  validateReadAll,
  validateReadStream,
  type PreparedEvent,
} from '../event-store.validation.js';
import {
  backoffDelay,
  isAfter,
  isSystemEvent,
  isTransientEsdbError,
  mapEsdbError,
  normalizeConnectionString,
  toBackwardReadPosition,
  toEsdbExpectedRevision,
  toPortPosition,
  toPortRevision,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
  type BackoffOptions,
} from './esdb-mapping.js';

/** The part of the client this adapter uses (lets tests substitute a fake). */
export type EsdbClient = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'>;

export interface EsdbEventStoreOptions {
  /** Subscription reconnect backoff; defaults 100 ms doubling up to 5 s. */
  reconnect?: Partial<BackoffOptions>;
  /** Called before each resubscription after a failure (for logging and metrics). */
  onResubscribe?: (info: { error: unknown; attempt: number; delayMs: number; after: Position }) => void;
  /** Raw `$all` records fetched per request by `readAll` and `headPosition` (at least maxCount + 1). */
  readPageSize?: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_READ_PAGE = 256;

export class EsdbEventStore implements EventStore {
  private closed = false;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly appending = new Set<Promise<unknown>>();
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly client: EsdbClient,
    private readonly options: EsdbEventStoreOptions = {},
  ) {
    this.backoff = { initialDelayMs: 100, maxDelayMs: 5000, ...options.reconnect };
  }

  /** `esdb://host:2113?tls=false`; `kurrentdb://` is accepted as a synonym. */
  static fromConnectionString(url: string, options?: EsdbEventStoreOptions): EsdbEventStore {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(normalizeConnectionString(url));
    } catch (error) {
      throw new Error(`Invalid EventStoreDB connection string: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    return new EsdbEventStore(client, options);
  }

  async append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    this.assertOpen();
    // Validate and serialize everything before any network call: bad input writes nothing.
    const prepared: PreparedEvent[] = prepareAppend(streamId, events, expectedRevision);
    // Parse the validated serialization back: the client serializes after an await, so this
    // snapshot keeps a caller's later mutation of `data` out of the stored event.
    const esdbEvents = prepared.map((event) =>
      jsonEvent({
        id: event.id,
        type: event.type,
        data: JSON.parse(event.data) as JsonObject,
        metadata: JSON.parse(event.metadata) as JsonObject,
      }),
    );
    const pending = this.client.appendToStream(streamId, esdbEvents, {
      expectedRevision: toEsdbExpectedRevision(expectedRevision),
    });
    // close() waits for appends in flight, so an acknowledged append is never cut off.
    this.appending.add(pending);
    let result;
    try {
      result = await pending;
    } catch (error) {
      throw mapEsdbError(error, { streamId, expected: expectedRevision });
    } finally {
      this.appending.delete(pending);
    }
    const nextExpectedRevision = toPortRevision(result.nextExpectedRevision);
    if (result.position) return { nextExpectedRevision, position: toPortPosition(result.position) };
    // The server always reports a position for a successful gRPC append; if an older one does
    // not, the position of the last event written is read back.
    const head = await this.streamHead(streamId);
    if (!head) throw new EventStoreUnavailableError(`Stream "${streamId}" has no head right after an append`);
    return { nextExpectedRevision, position: head.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateReadStream(streamId, options);
    const backwards = options.direction === 'backwards';
    const fromRevision = options.fromRevision === undefined ? (backwards ? END : ESDB_START) : BigInt(options.fromRevision);
    const resolved = await this.collect(
      () =>
        this.client.readStream(streamId, {
          direction: backwards ? BACKWARDS : FORWARDS,
          fromRevision,
          ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
        }),
      streamId,
    );
    const events: RecordedEvent[] = [];
    for (const entry of resolved) if (entry.event) events.push(toRecordedEvent(entry.event));
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateReadAll(options);
    const maxCount = options.maxCount ?? 1000;
    // One raw record more than asked: the server's read is inclusive of `from`.
    const pageSize = Math.min(Math.max(maxCount + 1, this.options.readPageSize ?? DEFAULT_READ_PAGE), LIMITS.readMaxCount + 1);
    const events: RecordedEvent[] = [];
    let from = options.after ?? START;
    // System events are skipped, so one page may hold fewer than `maxCount` of ours: keep
    // paging until we have enough or the server returns a short page (end of the log). An
    // empty result therefore always means "nothing after `after`", never "a page of $-events".
    for (;;) {
      const page = await this.readAllPage(toReadPosition(from), FORWARDS, pageSize);
      let progressed = false;
      for (const entry of page) {
        const event = entry.event;
        if (!event) continue;
        const position = toPortPosition(event.position);
        if (!isAfter(position, from)) continue;
        from = position;
        progressed = true;
        if (isSystemEvent(event.streamId, event.type)) continue;
        events.push(toRecordedEvent(event));
        if (events.length === maxCount) return events;
      }
      if (page.length < pageSize || !progressed) return events;
    }
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.assertOpen();
    validateReadStream(streamId, {});
    try {
      const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      return last ? { revision: last.revision, position: last.position } : null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  async headPosition(): Promise<Position> {
    this.assertOpen();
    const pageSize = this.options.readPageSize ?? DEFAULT_READ_PAGE;
    let before: Position | undefined;
    // Backwards from the end, skipping system events; a backwards read from an event's
    // position excludes that event, and `before` guards against it anyway.
    for (;;) {
      const page = await this.readAllPage(toBackwardReadPosition(before), BACKWARDS, pageSize);
      let progressed = false;
      for (const entry of page) {
        const event = entry.event;
        if (!event) continue;
        const position = toPortPosition(event.position);
        if (before !== undefined && position >= before) continue;
        before = position;
        progressed = true;
        if (!isSystemEvent(event.streamId, event.type)) return position;
      }
      if (page.length < pageSize || !progressed) return START;
    }
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.assertOpen();
    validateReadAll({ after: options.after });
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > LIMITS.readMaxCount) {
      throw new EventStoreValidationError(`must be an integer from 1 to ${LIMITS.readMaxCount}`, 'batchSize');
    }
    const subscription = new EsdbSubscription({
      client: this.client,
      after: options.after ?? START,
      filter: options.filter,
      batchSize,
      backoff: this.backoff,
      ...(this.options.onResubscribe ? { onResubscribe: this.options.onResubscribe } : {}),
      onClosed: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Refuses new calls, ends subscriptions, lets appends in flight finish, then disposes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await Promise.allSettled([...this.appending]);
    await this.client.dispose();
  }

  private async readAllPage(from: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS, maxCount: number) {
    return this.collect(() => this.client.readAll({ fromPosition: from, direction, maxCount }));
  }

  /** Drains a bounded client read (its size is capped by `maxCount`), mapping its errors. */
  private async collect<E extends ResolvedEvent | AllStreamResolvedEvent>(
    open: () => AsyncIterable<E>,
    streamId?: string,
  ): Promise<E[]> {
    const out: E[] = [];
    try {
      for await (const entry of open()) out.push(entry);
    } catch (error) {
      throw mapEsdbError(error, streamId === undefined ? {} : { streamId });
    }
    return out;
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
  }
}

interface EsdbSubscriptionConfig {
  client: EsdbClient;
  after: Position;
  filter: SubscriptionFilter | undefined;
  batchSize: number;
  backoff: BackoffOptions;
  onResubscribe?: EsdbEventStoreOptions['onResubscribe'];
  onClosed: (subscription: EsdbSubscription) => void;
}

/**
 * A catch-up-then-live subscription to `$all` that survives server restarts.
 *
 * The client's subscription does not resubscribe by itself: when the server goes away the
 * gRPC call fails (UNAVAILABLE, or INTERNAL/CANCELLED on a reset) and the client only emits the
 * error and resets its channel for the *next* call. So this loop opens a new client
 * subscription, with backoff, from the position of the last event it received, and drops
 * anything at or before that position — no duplicate, no gap, whether the server treats the
 * start position as inclusive or exclusive.
 *
 * Backpressure: the client's subscription is a Readable (objectMode, `highWaterMark` =
 * batchSize) fed by the gRPC stream through `pipe`; it is consumed with `for await`, which
 * reads only when our consumer pulls, so a full buffer pauses the gRPC stream and HTTP/2 flow
 * control stops the server. Nothing is buffered beyond that.
 */
class EsdbSubscription implements Subscription {
  private readonly abort = new AbortController();
  private current: AllStreamSubscription | undefined;
  private readonly iterator: AsyncGenerator<RecordedEvent, void, undefined>;

  constructor(private readonly config: EsdbSubscriptionConfig) {
    this.iterator = this.run();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this.iterator;
  }

  async close(): Promise<void> {
    if (!this.abort.signal.aborted) {
      this.abort.abort();
      // Destroying the Readable settles a pending `next()` at once; the gRPC call is cancelled
      // in the background (it may still be connecting).
      this.stop(this.current);
      this.config.onClosed(this);
    }
    await this.iterator.return(undefined);
  }

  private async *run(): AsyncGenerator<RecordedEvent, void, undefined> {
    const { client, filter, batchSize } = this.config;
    const signal = this.abort.signal;
    const serverFilter = toServerFilter(filter);
    let after = this.config.after;
    let attempt = 0;
    try {
      while (!signal.aborted) {
        const source = client.subscribeToAll(
          { fromPosition: toReadPosition(after), filter: serverFilter, resolveLinkTos: false },
          { highWaterMark: batchSize },
        );
        this.current = source;
        // The client re-emits gRPC errors on the Readable; without a listener, an error emitted
        // after we stopped listening (e.g. while the call was still connecting) would crash.
        source.on('error', () => undefined);
        source.once('confirmation', () => {
          attempt = 0;
        });
        let failure: unknown = new EventStoreUnavailableError('The EventStoreDB subscription ended unexpectedly');
        try {
          for await (const entry of source as AsyncIterable<AllStreamResolvedEvent>) {
            attempt = 0;
            const event = entry.event;
            if (!event) continue;
            const position = toPortPosition(event.position);
            if (!isAfter(position, after)) continue;
            after = position;
            if (isSystemEvent(event.streamId, event.type)) continue;
            if (!matchesFilter(filter, event.streamId, event.type)) continue;
            yield toRecordedEvent(event);
            if (signal.aborted) return;
          }
        } catch (error) {
          failure = error;
        } finally {
          this.stop(source);
          if (this.current === source) this.current = undefined;
        }
        if (signal.aborted) return;
        if (!isTransientEsdbError(failure)) throw mapEsdbError(failure);
        const delayMs = backoffDelay(attempt, this.config.backoff);
        this.config.onResubscribe?.({ error: failure, attempt, delayMs, after });
        attempt += 1;
        await sleep(delayMs, signal);
      }
    } finally {
      // Also when the consumer leaves a `for await` early, not only through `close()`.
      this.config.onClosed(this);
    }
  }

  private stop(source: AllStreamSubscription | undefined): void {
    if (!source) return;
    source.unsubscribe().catch(() => undefined);
    source.destroy();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
