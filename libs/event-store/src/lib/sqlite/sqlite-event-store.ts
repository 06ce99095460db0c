import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EventStoreUnavailableError, StreamNotFoundError } from '../event-store.errors.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  EventToAppend,
  JsonObject,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamHead,
  SubscribeToAllOptions,
  Subscription,
} from '../event-store.port.js';
import { START } from '../event-store.port.js';
import {
  matchesFilter,
  prepareAppend,
  validateReadAll,
  validateReadStream,
  type PreparedEvent,
} from '../event-store.validation.js';
import { checkExpectedRevision } from '../expected-revision.js';
import { pullSubscription } from '../pull-subscription.js';

export interface SqliteEventStoreOptions {
  /** File path, or `:memory:` for a throw-away store. */
  path: string;
  /**
   * `FULL` (default) fsyncs the WAL at every commit: an acknowledged append survives a power
   * cut. `NORMAL` survives a process crash but may lose the last commits on power loss.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How often a waiting subscription looks for appends made by other processes. */
  pollIntervalMs?: number;
  /** Upper bound on appends committed together in one group-commit transaction. */
  maxAppendsPerCommit?: number;
  /** How long to wait for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

interface PendingAppend {
  streamId: string;
  events: PreparedEvent[];
  expected: ExpectedRevision;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** An event as the embedded store holds it: data and metadata are the stored JSON text. */
export interface StoredEvent {
  position: Position;
  streamId: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

type EventRow = [
  position: number,
  streamId: string,
  revision: number,
  id: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: number,
];

/** The one table of the embedded store (exported so benchmarks write the very same rows). */
export const EVENTS_TABLE_DDL = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY,
    stream_id   TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;

const COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

function toRecorded(row: EventRow): RecordedEvent {
  return {
    position: BigInt(row[0]),
    streamId: row[1],
    revision: row[2],
    id: row[3],
    type: row[4],
    data: JSON.parse(row[5]) as JsonObject,
    metadata: JSON.parse(row[6]) as JsonObject,
    recordedAt: new Date(row[7]),
  };
}

/**
 * The embedded event store: one SQLite file in WAL mode.
 *
 * Appends are group-committed: every append that arrives while the event loop is busy is
 * queued, and the queue is written in one transaction (one fsync). Each append keeps its own
 * expected-revision check inside that transaction, so a conflicting append fails alone.
 * The position is the table's rowid: rows are never deleted, so positions are gap-free and
 * strictly increasing, and a rolled-back transaction leaves no hole.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private pollTimer: NodeJS.Timeout | undefined;
  private lastSeenHead: Position = START;
  private readonly idle = new Set<() => void>();
  private readonly options: Required<SqliteEventStoreOptions>;
  private readonly counters = { transactions: 0, appends: 0, events: 0 };

  private readonly insert: Database.Statement;
  private readonly selectHead: Database.Statement;
  private readonly selectMaxPosition: Database.Statement;
  private readonly selectAll: Database.Statement;
  private readonly selectForwards: Database.Statement;
  private readonly selectBackwards: Database.Statement;
  private readonly commitBatch: Database.Transaction<(batch: PendingAppend[]) => Array<AppendResult | Error>>;

  constructor(options: SqliteEventStoreOptions) {
    this.options = {
      synchronous: 'FULL',
      pollIntervalMs: 100,
      maxAppendsPerCommit: 1000,
      busyTimeoutMs: 5000,
      ...options,
    };
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    try {
      this.db = new Database(options.path, { timeout: this.options.busyTimeoutMs });
    } catch (error) {
      throw new EventStoreUnavailableError(`Cannot open the event store at ${options.path}: ${String(error)}`, {
        cause: error,
      });
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${this.options.synchronous}`);
    this.db.exec(EVENTS_TABLE_DDL);

    this.insert = this.db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectHead = this.db
      .prepare(`SELECT revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1`)
      .raw();
    this.selectMaxPosition = this.db.prepare(`SELECT coalesce(max(position), 0) FROM events`).pluck();
    this.selectAll = this.db.prepare(`SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`).raw();
    this.selectForwards = this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`)
      .raw();
    this.selectBackwards = this.db
      .prepare(`SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`)
      .raw();

    this.commitBatch = this.db.transaction((batch: PendingAppend[]) => {
      const now = Date.now();
      return batch.map((request): AppendResult | Error => {
        const head = this.selectHead.get(request.streamId) as [number, number] | undefined;
        const current = head ? head[0] : 'no_stream';
        const conflict = checkExpectedRevision(request.streamId, request.expected, current);
        if (conflict) return conflict;
        let revision = head ? head[0] : -1;
        let position = 0;
        for (const event of request.events) {
          revision += 1;
          const info = this.insert.run(request.streamId, revision, event.id, event.type, event.data, event.metadata, now);
          position = Number(info.lastInsertRowid);
        }
        return { nextExpectedRevision: revision, position: BigInt(position) };
      });
    });
    this.lastSeenHead = BigInt(this.selectMaxPosition.get() as number);
  }

  append(streamId: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new EventStoreUnavailableError('The event store is closed'));
    let prepared: PreparedEvent[];
    try {
      prepared = prepareAppend(streamId, events, expectedRevision);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, events: prepared, expected: expectedRevision, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: callers that resume after the previous commit get a
    // whole event-loop turn to queue their next append into the same transaction.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue.splice(0, this.options.maxAppendsPerCommit);
    if (batch.length === 0) return;
    let results: Array<AppendResult | Error>;
    try {
      // BEGIN IMMEDIATE: take the write lock up front so a writer in another process makes
      // us wait (busy timeout) instead of failing the transaction half-way.
      results = this.commitBatch.immediate(batch);
    } catch (error) {
      const failure = new EventStoreUnavailableError(`The append could not be committed: ${String(error)}`, {
        cause: error,
      });
      for (const request of batch) request.reject(failure);
      this.afterFlush();
      return;
    }
    let committed = false;
    this.counters.transactions += 1;
    results.forEach((result, i) => {
      const request = batch[i]!;
      if (result instanceof Error) {
        request.reject(result);
      } else {
        committed = true;
        this.counters.appends += 1;
        this.counters.events += batch[i]!.events.length;
        if (result.position > this.lastSeenHead) this.lastSeenHead = result.position;
        request.resolve(result);
      }
    });
    if (committed) this.wakeWaiters();
    this.afterFlush();
  }

  private afterFlush(): void {
    if (this.queue.length > 0) this.scheduleFlush();
    else for (const done of this.idle) done();
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateReadStream(streamId, options);
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const rows = (
      options.direction === 'backwards'
        ? this.selectBackwards.all(streamId, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
        : this.selectForwards.all(streamId, options.fromRevision ?? 0, maxCount)
    ) as EventRow[];
    if (rows.length === 0 && !this.selectHead.get(streamId)) throw new StreamNotFoundError(streamId);
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateReadAll(options);
    return this.readAllSync(options.after ?? START, options.maxCount ?? 1000);
  }

  /**
   * The log in global order as stored: data and metadata as the JSON text in the file, not
   * parsed. Not part of the port: for whole-log checks (audit verification) that can prove an
   * event from its stored text and would otherwise spend most of their time parsing.
   */
  readAllStored(after: Position, maxCount = 1000): StoredEvent[] {
    this.assertOpen();
    validateReadAll({ after, maxCount });
    return (this.selectAll.all(Number(after), maxCount) as EventRow[]).map((row) => ({
      position: BigInt(row[0]),
      streamId: row[1],
      revision: row[2],
      type: row[4],
      data: row[5],
      metadata: row[6],
    }));
  }

  private readAllSync(after: Position, maxCount: number): RecordedEvent[] {
    return (this.selectAll.all(Number(after), maxCount) as EventRow[]).map(toRecorded);
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    this.assertOpen();
    validateReadAll({ after: options.after });
    const filter = options.filter;
    return pullSubscription({
      after: options.after ?? START,
      readBatch: async (after) => this.readAllSync(after, options.batchSize ?? 500),
      accept: (event) => matchesFilter(filter, event.streamId, event.type),
      waitForMore: (after, signal) => this.waitForAppendAfter(after, signal),
      isClosed: () => this.closed,
    });
  }

  /**
   * Resolves once the log has grown past `after` (or on abort). Appends from this process
   * wake waiters directly; appends from other processes are noticed by polling.
   */
  private waitForAppendAfter(after: Position, signal: AbortSignal): Promise<void> {
    if (this.closed || signal.aborted) return Promise.resolve();
    if (this.currentHead() > after) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        signal.removeEventListener('abort', wake);
        if (this.waiters.size === 0) this.stopPolling();
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
      this.startPolling();
    });
  }

  private currentHead(): Position {
    const head = BigInt(this.selectMaxPosition.get() as number);
    if (head > this.lastSeenHead) this.lastSeenHead = head;
    return this.lastSeenHead;
  }

  private startPolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => {
      const before = this.lastSeenHead;
      if (this.currentHead() > before) this.wakeWaiters();
    }, this.options.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Group-commit figures: appends and events committed, in how many transactions. */
  commitStats(): { transactions: number; appends: number; events: number } {
    return { ...this.counters };
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    this.assertOpen();
    validateReadStream(streamId, {});
    const head = this.selectHead.get(streamId) as [number, number] | undefined;
    return head ? { revision: head[0], position: BigInt(head[1]) } : null;
  }

  async headPosition(): Promise<Position> {
    this.assertOpen();
    return this.currentHead();
  }

  /** Commits what is queued, ends waiting subscriptions, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length > 0 || this.flushScheduled) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
    this.wakeWaiters();
    this.stopPolling();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreUnavailableError('The event store is closed');
  }
}
