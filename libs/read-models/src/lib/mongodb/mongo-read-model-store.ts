import {
  Long,
  MongoClient,
  MongoServerError,
  type ClientSession,
  type Collection,
  type Db,
  type Document,
  type IndexDescription,
  type MongoClientOptions,
} from 'mongodb';
import {
  breachQuery,
  decodeBreachCursor,
  decodeQueueCursor,
  dueSortKey,
  encodeBreachCursor,
  encodeQueueCursor,
  pageSize,
  queryTime,
  queueQuery,
  toPage,
  watcherLimit,
  type BreachQuery,
  type QueueQuery,
} from '../pagination.js';
import { ReadModelQueryError } from '../read-model.errors.js';
import type {
  BreachFilter,
  BreachQueries,
  FactsQueries,
  IsoTime,
  Page,
  PageRequest,
  ProjectionName,
  ProjectionTx,
  QueueFilter,
  QueueQueries,
  QueueRow,
  ReadModelStore,
  RowSet,
  SlaBreachRow,
  TicketFactsRow,
} from '../read-models.port.js';
import { PROJECTION_NAMES } from '../read-models.port.js';
import {
  assertCursorName,
  assertGeneration,
  assertPosition,
  assertProjection,
  checkBreachRow,
  checkFactsRow,
  checkQueueRow,
  foreignRowSet,
  GENERATION_NAME,
  generationName,
  Mutex,
  projectionOfStem,
  ROW_SET_OF,
  watchAt,
} from '../store-support.js';

export const DEFAULT_MONGO_DATABASE = 'tracedesk';
const NAMESPACE_EXISTS = 48;

export interface MongoReadModelStoreOptions {
  /** Database name; default: the connection string's path, else `tracedesk`. */
  database?: string;
  /** Extra driver options (merged over the store's defaults). */
  clientOptions?: MongoClientOptions;
}

/**
 * The database named by a connection string's path (`mongodb://h1,h2/tracedesk?…`), or
 * `tracedesk`. Parsed by hand: multi-host strings are not WHATWG URLs.
 */
export function databaseFromUrl(url: string): string {
  const rest = url.slice(url.indexOf('://') + 3);
  const slash = rest.indexOf('/');
  if (slash < 0) return DEFAULT_MONGO_DATABASE;
  const path = rest.slice(slash + 1).split('?')[0] ?? '';
  return path ? decodeURIComponent(path) : DEFAULT_MONGO_DATABASE;
}

/** Every document here is keyed by a string `_id` (a ticket id, breach key, projection…). */
interface StoredDoc extends Document {
  _id: string;
}

/** How one read model maps to documents: `_id` is the row's key, helper fields start with `_`. */
interface DocMapping<R> {
  keyOf: (row: R) => string;
  check: (row: R) => void;
  toDoc: (row: R) => Document;
  fromDoc: (doc: Document) => R;
  indexes: IndexDescription[];
}

/** Strips `_id` and helper fields (`_dueSort`, `_watchAt`): what is left is the row as written. */
function stripped(doc: Document): Document {
  const row: Document = {};
  for (const [name, value] of Object.entries(doc)) if (!name.startsWith('_')) row[name] = value;
  return row;
}

const QUEUE_DOCS: DocMapping<QueueRow> = {
  keyOf: (row) => row.ticketId,
  check: checkQueueRow,
  // `state` is the projection's opaque working state: kept as a JSON string so any JSON
  // survives exactly (BSON refuses some field names and would not keep every JSON shape).
  toDoc: (row) => ({ ...row, state: JSON.stringify(row.state), _dueSort: dueSortKey(row.nextDueAt), _watchAt: watchAt(row) }),
  fromDoc: (doc) => {
    const row = stripped(doc);
    return { ...row, state: JSON.parse(row['state'] as string) as Record<string, unknown> } as QueueRow;
  },
  // Every filter has an index that carries the queue order too (see the SQLite schema).
  indexes: [
    { name: 'due', key: { _dueSort: 1, _id: 1 } },
    ...['status', 'organizationId', 'group', 'assigneeId', 'priority', 'tier', 'escalationLevel', 'breached', 'atRisk'].map(
      (field): IndexDescription => ({ name: field, key: { [field]: 1, _dueSort: 1, _id: 1 } }),
    ),
    { name: 'watch', key: { _watchAt: 1, _id: 1 } },
  ],
};

const BREACH_DOCS: DocMapping<SlaBreachRow> = {
  keyOf: (row) => row.key,
  check: checkBreachRow,
  toDoc: (row) => ({ ...row }),
  fromDoc: (doc) => stripped(doc) as SlaBreachRow,
  indexes: [
    { name: 'breachedAt', key: { breachedAt: -1, _id: 1 } },
    ...['ticketId', 'organizationId', 'tier', 'priority', 'metric', 'group'].map(
      (field): IndexDescription => ({ name: field, key: { [field]: 1, breachedAt: -1, _id: 1 } }),
    ),
  ],
};

const FACTS_DOCS: DocMapping<TicketFactsRow> = {
  keyOf: (row) => row.ticketId,
  check: checkFactsRow,
  toDoc: (row) => ({ ...row }),
  fromDoc: (doc) => stripped(doc) as TicketFactsRow,
  indexes: [
    { name: 'openedAt', key: { openedAt: 1, _id: 1 } },
    { name: 'tier', key: { tier: 1, openedAt: 1, _id: 1 } },
  ],
};

const DOCS_OF = {
  queue: QUEUE_DOCS,
  'sla-breaches': BREACH_DOCS,
  'ticket-facts': FACTS_DOCS,
} as const satisfies Record<ProjectionName, unknown>;

/** Keys per `$in` / bulk write: keeps each command far below the 16 MB limit. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (value instanceof Long) return value.toBigInt();
  throw new Error(`Unexpected stored position ${String(value)}`);
}

function queueFilter(q: QueueQuery): Document {
  const filter: Document = { status: { $in: q.statuses } };
  if (q.organizationId !== undefined) filter['organizationId'] = q.organizationId;
  if (q.priorities) filter['priority'] = { $in: q.priorities };
  if (q.tiers) filter['tier'] = { $in: q.tiers };
  if (q.group !== undefined) filter['group'] = q.group;
  // Rows always carry assigneeId, so `null` matches exactly the unassigned ones.
  if (q.assigneeId !== undefined) filter['assigneeId'] = q.assigneeId;
  if (q.escalationLevel !== undefined) filter['escalationLevel'] = q.escalationLevel;
  if (q.breached !== undefined) filter['breached'] = q.breached;
  if (q.atRisk !== undefined) filter['atRisk'] = q.atRisk;
  return filter;
}

function breachFilter(q: BreachQuery): Document {
  const filter: Document = {};
  for (const field of ['organizationId', 'ticketId', 'metric', 'tier', 'priority', 'group'] as const) {
    const value = q[field];
    if (value !== undefined) filter[field] = value;
  }
  const range: Document = {};
  if (q.from !== undefined) range['$gte'] = q.from;
  if (q.to !== undefined) range['$lt'] = q.to;
  if (Object.keys(range).length > 0) filter['breachedAt'] = range;
  return filter;
}

const TRANSACTION = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' } as const;
const QUEUE_SORT = { _dueSort: 1, _id: 1 } as const;
const BREACH_SORT = { breachedAt: -1, _id: 1 } as const;
const FACTS_SORT = { openedAt: 1, _id: 1 } as const;

/**
 * The MongoDB read-model store: one collection per read model and generation (`queue_g1`, …)
 * plus `projection_generations`, `checkpoints` and `cursors`.
 *
 * Batches run in multi-document transactions (`session.withTransaction`), which need a replica
 * set (a single-node one will do: `mongod --replSet rs0` + `rs.initiate()`). A batch's reads,
 * row writes and checkpoint update all pass the session, so they commit or abort together.
 * Batches of one projection run one at a time in this process; batches of different
 * projections touch different documents and run side by side.
 *
 * Positions are stored as BSON Int64 (`Long`) and read back as bigint: exact up to 2^63-1.
 */
export class MongoReadModelStore implements ReadModelStore {
  private readonly db: Db;
  private readonly locks = new Map<ProjectionName, Mutex>(PROJECTION_NAMES.map((p) => [p, new Mutex()]));
  private closed = false;

  readonly queue: QueueQueries;
  readonly breaches: BreachQueries;
  readonly facts: FactsQueries;

  /** Connects lazily: nothing is sent until the first operation. */
  static fromConnectionString(url: string, options: MongoReadModelStoreOptions = {}): MongoReadModelStore {
    // ignoreUndefined: an undefined field is left out, as JSON.stringify does on SQLite.
    const client = new MongoClient(url, { ignoreUndefined: true, ...options.clientOptions });
    return new MongoReadModelStore(client, options.database ?? databaseFromUrl(url));
  }

  constructor(
    private readonly client: MongoClient,
    readonly databaseName: string,
  ) {
    this.db = client.db(databaseName, { ignoreUndefined: true });
    this.queue = {
      find: (filter, page) => this.findQueue(filter, page),
      get: (ticketId) => this.getOne('queue', ticketId),
      dueForWatcher: (at, limit) => this.dueForWatcher(at, limit),
    };
    this.breaches = { find: (filter, page) => this.findBreaches(filter, page) };
    this.facts = {
      get: (ticketId) => this.getOne('ticket-facts', ticketId),
      openedBefore: (to, tier) => this.openedBefore(to, tier),
    };
  }

  private get generations(): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>('projection_generations');
  }

  private get checkpoints(): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>('checkpoints');
  }

  private collection(projection: ProjectionName, generation: number): Collection<StoredDoc> {
    return this.db.collection<StoredDoc>(generationName(projection, generation));
  }

  private lock(projection: ProjectionName): Mutex {
    return this.locks.get(projection)!;
  }

  // -------------------------------------------------------------------------------------------
  // Schema and generations
  // -------------------------------------------------------------------------------------------

  /**
   * Idempotent: the generation pointers, a checkpoint for each active generation, collections
   * and indexes of every existing generation, and removal of collections left by a crash
   * between a generation switch and its drops.
   */
  async init(): Promise<void> {
    this.assertOpen();
    const now = new Date().toISOString();
    await this.checkpoints.createIndex({ projection: 1, generation: 1 }, { name: 'projection_generation' });
    for (const projection of PROJECTION_NAMES) {
      await this.generations.updateOne(
        { _id: projection },
        { $setOnInsert: { activeGeneration: 1, maxGeneration: 1 } },
        { upsert: true },
      );
      // The active generation always exists: upserting its checkpoint (a no-op when present)
      // also repairs a crash between the pointer's creation and this write.
      const active = await this.activeGeneration(projection);
      await this.checkpoints.updateOne(
        { _id: `${projection}:${active}` },
        { $setOnInsert: { projection, generation: active, position: Long.ZERO, updatedAt: now } },
        { upsert: true },
      );
    }
    const existing = new Set(
      (await this.checkpoints.find({}, { projection: { projection: 1, generation: 1 } }).toArray()).map((c) =>
        generationName(c['projection'] as ProjectionName, c['generation'] as number),
      ),
    );
    for (const { name } of await this.db.listCollections({}, { nameOnly: true }).toArray()) {
      const match = GENERATION_NAME.exec(name);
      if (match && projectionOfStem(match[1]!) && !existing.has(name)) await this.db.dropCollection(name);
    }
    for (const c of await this.checkpoints.find({}).toArray()) {
      await this.createCollection(c['projection'] as ProjectionName, c['generation'] as number);
    }
  }

  private async createCollection(projection: ProjectionName, generation: number): Promise<void> {
    const name = generationName(projection, generation);
    const exists = (await this.db.listCollections({ name }, { nameOnly: true }).toArray()).length > 0;
    if (!exists) {
      await this.db.createCollection(name).catch((error: unknown) => {
        // Created meanwhile by another process's init(): what we wanted.
        if (!(error instanceof MongoServerError && error.code === NAMESPACE_EXISTS)) throw error;
      });
    }
    // Same names and keys as before: a no-op when the indexes exist.
    await this.db.collection<StoredDoc>(name).createIndexes(DOCS_OF[projection].indexes);
  }

  async activeGeneration(projection: ProjectionName): Promise<number> {
    assertProjection(projection);
    this.assertOpen();
    const doc = await this.generations.findOne({ _id: projection });
    if (!doc) throw new Error(`The read-model store has no generation for ${projection}: call init()`);
    return doc['activeGeneration'] as number;
  }

  async createGeneration(projection: ProjectionName): Promise<number> {
    assertProjection(projection);
    return this.lock(projection).run(async () => {
      this.assertOpen();
      const doc = await this.generations.findOneAndUpdate(
        { _id: projection },
        { $inc: { maxGeneration: 1 } },
        { returnDocument: 'after' },
      );
      if (!doc) throw new Error(`The read-model store has no generation for ${projection}: call init()`);
      const generation = doc['maxGeneration'] as number;
      // The checkpoint first, then the collection: init() drops generation collections that have
      // no checkpoint, so the other order could lose a collection being created.
      await this.checkpoints.insertOne({
        _id: `${projection}:${generation}`,
        projection,
        generation,
        position: Long.ZERO,
        updatedAt: new Date().toISOString(),
      });
      await this.createCollection(projection, generation);
      return generation;
    });
  }

  async activateGeneration(projection: ProjectionName, generation: number): Promise<void> {
    assertProjection(projection);
    assertGeneration(generation);
    await this.lock(projection).run(async () => {
      this.assertOpen();
      // Collections cannot be dropped inside a transaction: switch the pointer and forget the
      // other generations' checkpoints atomically, then drop their collections. A crash in
      // between leaves unreferenced collections, which init() drops.
      const others = await this.withSession((session) =>
        session.withTransaction(async () => {
          const target = await this.checkpoints.findOne({ _id: `${projection}:${generation}` }, { session });
          if (!target) throw new Error(`Cannot activate generation ${generation} of ${projection}: it does not exist`);
          const stale = await this.checkpoints.find({ projection, generation: { $ne: generation } }, { session }).toArray();
          await this.checkpoints.deleteMany({ projection, generation: { $ne: generation } }, { session });
          await this.generations.updateOne({ _id: projection }, { $set: { activeGeneration: generation } }, { session });
          return stale.map((c) => c['generation'] as number);
        }, TRANSACTION),
      );
      // A failed drop only leaves an unreferenced collection behind, for init() to drop.
      for (const other of others) await this.db.dropCollection(generationName(projection, other)).catch(() => false);
    });
  }

  private async withSession<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      return await fn(session);
    } finally {
      await session.endSession();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Batches and checkpoints
  // -------------------------------------------------------------------------------------------

  async runBatch(projection: ProjectionName, generation: number, work: (tx: ProjectionTx) => Promise<bigint>): Promise<void> {
    assertProjection(projection);
    assertGeneration(generation);
    const checkpointId = `${projection}:${generation}`;
    await this.lock(projection).run(() =>
      this.withSession((session) =>
        // withTransaction retries the whole callback on a transient error (e.g. a write
        // conflict with a generation switch), so each attempt builds its own tx.
        session.withTransaction(async () => {
          this.assertOpen();
          // Checked first: a write to a dropped generation would silently recreate it.
          if (!(await this.checkpoints.findOne({ _id: checkpointId }, { session }))) {
            throw new Error(`Generation ${generation} of ${projection} does not exist (dropped by a rebuild, or never created)`);
          }
          let open = true;
          const ensureOpen = (): void => {
            if (!open) throw new Error(`This ${projection} batch has ended; its tx can no longer be used`);
          };
          try {
            const collection = this.collection(projection, generation);
            const own = ROW_SET_OF[projection];
            const tx: ProjectionTx = {
              queue:
                own === 'queue'
                  ? this.rowSet(collection, QUEUE_DOCS, session, ensureOpen)
                  : foreignRowSet<QueueRow>(projection, 'queue'),
              breaches:
                own === 'breaches'
                  ? this.rowSet(collection, BREACH_DOCS, session, ensureOpen)
                  : foreignRowSet<SlaBreachRow>(projection, 'breaches'),
              facts:
                own === 'facts'
                  ? this.rowSet(collection, FACTS_DOCS, session, ensureOpen)
                  : foreignRowSet<TicketFactsRow>(projection, 'facts'),
            };
            const position = await work(tx);
            assertPosition(position);
            const updated = await this.checkpoints.updateOne(
              { _id: checkpointId },
              { $set: { position: Long.fromBigInt(position), updatedAt: new Date().toISOString() } },
              { session },
            );
            if (updated.matchedCount !== 1) throw new Error(`Generation ${generation} of ${projection} was dropped during the batch`);
          } finally {
            open = false;
          }
        }, TRANSACTION),
      ),
    );
  }

  private rowSet<R>(collection: Collection<StoredDoc>, mapping: DocMapping<R>, session: ClientSession, ensureOpen: () => void): RowSet<R> {
    return {
      get: async (keys) => {
        ensureOpen();
        const rows = new Map<string, R>();
        // Sequential on purpose: operations of one transaction must not run in parallel.
        for (const chunk of chunks([...new Set(keys)])) {
          const docs = await collection.find({ _id: { $in: chunk } }, { session }).toArray();
          for (const doc of docs) rows.set(doc._id, mapping.fromDoc(doc));
        }
        return rows;
      },
      put: async (rows) => {
        ensureOpen();
        for (const row of rows) mapping.check(row);
        for (const chunk of chunks(rows)) {
          await collection.bulkWrite(
            chunk.map((row) => ({
              replaceOne: { filter: { _id: mapping.keyOf(row) }, replacement: mapping.toDoc(row), upsert: true },
            })),
            { session, ordered: true },
          );
        }
      },
      delete: async (keys) => {
        ensureOpen();
        for (const chunk of chunks(keys)) await collection.deleteMany({ _id: { $in: chunk } }, { session });
      },
    };
  }

  async checkpoint(projection: ProjectionName, generation: number): Promise<bigint> {
    assertProjection(projection);
    assertGeneration(generation);
    this.assertOpen();
    const doc = await this.checkpoints.findOne({ _id: `${projection}:${generation}` }, { useBigInt64: true });
    return doc ? toBigInt(doc['position']) : 0n;
  }

  async cursor(name: string): Promise<bigint> {
    assertCursorName(name);
    this.assertOpen();
    const doc = await this.db.collection<StoredDoc>('cursors').findOne({ _id: name }, { useBigInt64: true });
    return doc ? toBigInt(doc['position']) : 0n;
  }

  async setCursor(name: string, position: bigint): Promise<void> {
    assertCursorName(name);
    assertPosition(position, 'cursor position');
    this.assertOpen();
    await this.db
      .collection<StoredDoc>('cursors')
      .updateOne(
        { _id: name },
        { $set: { position: Long.fromBigInt(position), updatedAt: new Date().toISOString() } },
        { upsert: true },
      );
  }

  // -------------------------------------------------------------------------------------------
  // Queries (active generation)
  // -------------------------------------------------------------------------------------------

  /**
   * Runs a query on the active generation. A generation switch can drop the collection while
   * the query runs, and MongoDB answers a dropped collection with no rows rather than an
   * error: when the pointer moved meanwhile, the query runs again on the new generation.
   */
  private async onActive<T>(projection: ProjectionName, query: (collection: Collection<StoredDoc>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const generation = await this.activeGeneration(projection);
      let result: T;
      try {
        result = await query(this.collection(projection, generation));
      } catch (error) {
        if (attempt >= 3 || (await this.activeGeneration(projection)) === generation) throw error;
        continue;
      }
      if (attempt >= 3 || (await this.activeGeneration(projection)) === generation) return result;
    }
  }

  private async getOne<R>(projection: 'queue' | 'ticket-facts', ticketId: string): Promise<R | null> {
    if (typeof ticketId !== 'string') throw new ReadModelQueryError('ticketId must be a string');
    const mapping = DOCS_OF[projection] as DocMapping<unknown> as DocMapping<R>;
    const doc = await this.onActive(projection, (c) => c.findOne({ _id: ticketId }));
    return doc ? mapping.fromDoc(doc) : null;
  }

  private async findQueue(filter: QueueFilter, page: PageRequest): Promise<Page<QueueRow>> {
    const q = queueQuery(filter);
    const first = pageSize(page);
    const after = page?.after === undefined || page.after === null ? null : decodeQueueCursor(page.after);
    const match = queueFilter(q);
    // The range on _dueSort bounds the index scan; the $or settles ties on _id.
    const due = after ? dueSortKey(after.dueAt) : null;
    const pageMatch = after
      ? { $and: [match, { _dueSort: { $gte: due } }, { $or: [{ _dueSort: { $gt: due } }, { _id: { $gt: after.ticketId } }] }] }
      : match;
    const { docs, totalCount } = await this.onActive('queue', async (c) => {
      const docs = await c.find(pageMatch, { sort: QUEUE_SORT, limit: first + 1 }).toArray();
      const totalCount = !after && docs.length <= first ? docs.length : await c.countDocuments(match);
      return { docs, totalCount };
    });
    return toPage(docs.map(QUEUE_DOCS.fromDoc), first, totalCount, encodeQueueCursor);
  }

  private async dueForWatcher(at: IsoTime, limit: number): Promise<QueueRow[]> {
    const time = queryTime('at', at);
    const max = watcherLimit(limit);
    const docs = await this.onActive('queue', (c) =>
      c.find({ _watchAt: { $lte: time } }, { sort: { _watchAt: 1, _id: 1 }, limit: max }).toArray(),
    );
    return docs.map(QUEUE_DOCS.fromDoc);
  }

  private async findBreaches(filter: BreachFilter, page: PageRequest): Promise<Page<SlaBreachRow>> {
    const q = breachQuery(filter);
    const first = pageSize(page);
    const after = page?.after === undefined || page.after === null ? null : decodeBreachCursor(page.after);
    const match = breachFilter(q);
    // Descending time, ascending key (as on SQLite).
    const at = after?.breachedAt;
    const pageMatch = after
      ? { $and: [match, { breachedAt: { $lte: at } }, { $or: [{ breachedAt: { $lt: at } }, { _id: { $gt: after.key } }] }] }
      : match;
    const { docs, totalCount } = await this.onActive('sla-breaches', async (c) => {
      const docs = await c.find(pageMatch, { sort: BREACH_SORT, limit: first + 1 }).toArray();
      const totalCount = !after && docs.length <= first ? docs.length : await c.countDocuments(match);
      return { docs, totalCount };
    });
    return toPage(docs.map(BREACH_DOCS.fromDoc), first, totalCount, encodeBreachCursor);
  }

  private openedBefore(to: IsoTime, tier?: string): AsyncIterable<TicketFactsRow> {
    const before = queryTime('to', to);
    if (tier !== undefined && typeof tier !== 'string') throw new ReadModelQueryError('tier must be a string');
    this.assertOpen();
    const filter: Document = tier === undefined ? { openedAt: { $lt: before } } : { tier, openedAt: { $lt: before } };
    const activeCollection = async (): Promise<Collection<StoredDoc>> =>
      this.collection('ticket-facts', await this.activeGeneration('ticket-facts'));
    return {
      async *[Symbol.asyncIterator]() {
        // Streams in driver batches; the cursor is closed when iteration stops early.
        const cursor = (await activeCollection()).find(filter, { sort: FACTS_SORT, batchSize: 1000 });
        try {
          for await (const doc of cursor) yield FACTS_DOCS.fromDoc(doc);
        } finally {
          await cursor.close();
        }
      },
    };
  }

  /** MongoDB has no cheap "changed since" counter for a database (a change stream would be one): unknown. */
  changeToken(): null {
    return null;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const reply = await this.db.command({ ping: 1 }, { signal: AbortSignal.timeout(2000) });
      return reply['ok'] === 1;
    } catch {
      return false;
    }
  }

  /** Lets batches in flight finish, then closes the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.locks.values()].map((lock) => lock.idle()));
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The read-model store is closed');
  }
}
