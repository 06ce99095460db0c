import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
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
  type QueueCursor,
  type QueueQuery,
} from '../pagination.js';
import { ReadModelQueryError } from '../read-model.errors.js';
import { ParsedRowCache } from './parsed-row-cache.js';
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
  foreignRowSet,
  generationName,
  Mutex,
  ROW_SET_OF,
  watchAt,
} from '../store-support.js';
import {
  addQueueCounts,
  countedValues,
  generationTables,
  QUEUE_COUNTED_COLUMNS,
  queueCountsBumpSql,
  queueCountsTable,
  type CountedValues,
  rowValues,
  TABLE_OF,
  tableDdl,
  upsertSql,
  type SqlValue,
  type TableSpec,
} from './sqlite-schema.js';

export interface SqliteReadModelStoreOptions {
  /** The database file (the caller chooses, normally `DATA_DIR/read-models.db`). */
  path: string;
  /**
   * `NORMAL` (default): a commit survives a process crash but the last few may be lost on
   * power loss. Acceptable here: read models are rebuilt from the log, and a lost commit takes
   * its checkpoint with it, so the projection simply replays those events. `FULL` fsyncs the
   * WAL at every commit.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long to wait for another process's write lock (e.g. a rebuild) before failing. */
  busyTimeoutMs?: number;
  /**
   * Page cache per connection (SQLite's default is 2 MB). The queue's indexes at 100,000 open
   * tickets are about 45 MB; from the cache they are read without system calls.
   */
  cacheSizeMb?: number;
}

const BASE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS projection_generations (
    projection        TEXT PRIMARY KEY,
    active_generation INTEGER NOT NULL,
    max_generation    INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS checkpoints (
    projection TEXT    NOT NULL,
    generation INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (projection, generation)
  );
  CREATE TABLE IF NOT EXISTS cursors (
    name       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at TEXT    NOT NULL
  );
`;

/** Prepared statements per SQL text; bounded, since generation tables come and go. */
class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  clear(): void {
    this.statements.clear();
  }
}

const parse = <R>(data: unknown): R => JSON.parse(data as string) as R;

/** The stored rows of `keys` (by primary key), parsed; missing keys are left out. */
function rowsByKey<R>(select: Database.Statement, keys: Iterable<string>): Map<string, R> {
  const rows = new Map<string, R>();
  for (const key of keys) {
    const data = select.get(key);
    if (data !== undefined) rows.set(key, parse<R>(data));
  }
  return rows;
}
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
/** Rows per read of `dueForWatcher` (about 3 ms of work each). */
const WATCHER_CHUNK = 100;
/** Rows an `openedBefore` iteration hands out between two turns of the event loop. */
const STREAM_YIELD_EVERY = 500;
const where = (conditions: string[]): string => (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '');
const placeholders = (values: readonly unknown[]): string => values.map(() => '?').join(', ');

/** WHERE terms of a queue filter; `dimensionsOnly` keeps the terms the counts table can answer. */
function queueConditions(q: QueueQuery, dimensionsOnly = false): { conditions: string[]; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const list = (column: string, values: string[]): void => {
    conditions.push(values.length === 1 ? `${column} = ?` : `${column} IN (${placeholders(values)})`);
    params.push(...values);
  };
  const equal = (column: string, value: SqlValue): void => {
    conditions.push(`${column} = ?`);
    params.push(value);
  };
  list('status', q.statuses);
  if (q.priorities) list('priority', q.priorities);
  if (q.tiers) list('tier', q.tiers);
  if (q.escalationLevel !== undefined) equal('escalation_level', q.escalationLevel);
  if (q.breached !== undefined) equal('breached', q.breached ? 1 : 0);
  if (q.atRisk !== undefined) equal('at_risk', q.atRisk ? 1 : 0);
  if (dimensionsOnly) return { conditions, params };
  if (q.organizationId !== undefined) equal('organization_id', q.organizationId);
  if (q.group !== undefined) equal('group_name', q.group);
  if (q.assigneeId === null) conditions.push('assignee_id IS NULL');
  else if (q.assigneeId !== undefined) equal('assignee_id', q.assigneeId);
  return { conditions, params };
}

/**
 * The queue index a request reads: the one led by its most selective many-valued filter
 * (an agent's tickets, then an organization's, then a group's, then the unassigned ones), else
 * the one in plain queue order. Chosen here rather than by the planner, which without
 * statistics (or with stale ones) may read an index out of queue order and sort every match.
 */
function queueIndexFor(q: QueueQuery): 'assignee' | 'organization' | 'group' | 'due' {
  if (typeof q.assigneeId === 'string') return 'assignee';
  if (q.organizationId !== undefined) return 'organization';
  if (q.group !== undefined) return 'group';
  if (q.assigneeId === null) return 'assignee';
  return 'due';
}

interface Sql {
  sql: string;
  params: SqlValue[];
}

/** The counts-table scope answering a filter's total, when it filters on at most one many-valued column. */
function countScope(q: QueueQuery): [scope: string, value: string] | null {
  const scopes: Array<[string, string]> = [];
  if (typeof q.assigneeId === 'string') scopes.push(['assignee', q.assigneeId]);
  if (q.assigneeId === null) scopes.push(['unassigned', '']);
  if (q.organizationId !== undefined) scopes.push(['organization', q.organizationId]);
  if (q.group !== undefined) scopes.push(['group', q.group]);
  if (scopes.length > 1) return null;
  return scopes[0] ?? ['all', ''];
}

/**
 * The page and count queries of a queue request (exported for the query-plan tests). Each
 * index holds every filter column, so filtering happens in the index and only the kept rows
 * are fetched. The total comes from the counts table (a few hundred counters at most) unless
 * the filter names two many-valued columns (say a group and an assignee); then it counts the
 * entries of the chosen index, which covers every filter column.
 */
export function queueSql(
  table: string,
  q: QueueQuery,
  after: QueueCursor | null,
  first: number,
): { page: Sql; count: Sql; countFromTotals: boolean } {
  const index = `${table}_${queueIndexFor(q)}`;
  const paged = queueConditions(q);
  if (after) {
    paged.conditions.push('(due_sort, ticket_id) > (?, ?)');
    paged.params.push(dueSortKey(after.dueAt), after.ticketId);
  }
  const page = {
    sql: `SELECT data FROM ${table} INDEXED BY ${index}${where(paged.conditions)} ORDER BY due_sort, ticket_id LIMIT ?`,
    params: [...paged.params, first + 1],
  };
  const scope = countScope(q);
  if (scope) {
    const counted = queueConditions(q, true);
    return {
      page,
      count: {
        sql: `SELECT coalesce(sum(n), 0) FROM ${queueCountsTable(table)}${where(['scope = ?', 'value = ?', ...counted.conditions])}`,
        params: [...scope, ...counted.params],
      },
      countFromTotals: true,
    };
  }
  const counted = queueConditions(q);
  return {
    page,
    count: { sql: `SELECT count(*) FROM ${table} INDEXED BY ${index}${where(counted.conditions)}`, params: counted.params },
    countFromTotals: false,
  };
}

function breachConditions(q: BreachQuery): { conditions: string[]; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const equal: Array<[keyof BreachQuery, string]> = [
    ['organizationId', 'organization_id'],
    ['ticketId', 'ticket_id'],
    ['metric', 'metric'],
    ['tier', 'tier'],
    ['priority', 'priority'],
    ['group', 'group_name'],
  ];
  const add = (condition: string, value: SqlValue | undefined): void => {
    if (value === undefined) return;
    conditions.push(condition);
    params.push(value);
  };
  for (const [field, column] of equal) add(`${column} = ?`, q[field]);
  add('breached_at >= ?', q.from);
  add('breached_at < ?', q.to);
  return { conditions, params };
}

/**
 * The embedded read-model store: one SQLite file in WAL mode, one table per read model and
 * generation (`queue_g1`, …) plus `projection_generations`, `checkpoints` and `cursors`.
 *
 * Two connections: the writer runs batches, generation switches and cursor updates, one at a
 * time (a promise-chain lock, since a batch's transaction stays open while its async work
 * runs); the reader answers queries. Queries therefore never see a batch half-done, which they
 * would on the writer's connection while its transaction is open. Each query reads the active
 * generation and its rows in one read transaction, so a generation switch made meanwhile (even
 * by a rebuild in another process) cannot pull the table from under it.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly writes: StatementCache;
  private readonly reads: StatementCache;
  private readonly writeLock = new Mutex();
  /** Queue pages are read far more often than their rows change (~15 MiB at the limit). */
  private readonly queueRows = new ParsedRowCache<QueueRow>(2_000);
  private readonly dataVersion: Database.Statement;
  private closed = false;
  private readonly options: Required<SqliteReadModelStoreOptions>;

  readonly queue: QueueQueries;
  readonly breaches: BreachQueries;
  readonly facts: FactsQueries;

  constructor(options: SqliteReadModelStoreOptions) {
    this.options = { synchronous: 'NORMAL', busyTimeoutMs: 5000, cacheSizeMb: 64, ...options };
    // A reader on another connection of a private in-memory database would see another, empty
    // database: the store needs a file.
    if (options.path === ':memory:' || options.path === '') throw new TypeError('SqliteReadModelStore needs a file path, not :memory:');
    mkdirSync(dirname(options.path), { recursive: true });
    this.writer = new Database(options.path, { timeout: this.options.busyTimeoutMs });
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma(`synchronous = ${this.options.synchronous}`);
    this.writer.pragma(`cache_size = ${-Math.round(this.options.cacheSizeMb * 1024)}`);
    this.writer.transaction(() => this.createSchema()).immediate();
    this.reader = new Database(options.path, { readonly: true, timeout: this.options.busyTimeoutMs });
    this.reader.pragma(`cache_size = ${-Math.round(this.options.cacheSizeMb * 1024)}`);
    this.writes = new StatementCache(this.writer);
    this.reads = new StatementCache(this.reader);
    this.dataVersion = this.reader.prepare('PRAGMA data_version').pluck();
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

  // -------------------------------------------------------------------------------------------
  // Schema and generations
  // -------------------------------------------------------------------------------------------

  /** Creates what is missing: base tables, generation 1 of each projection on a fresh file, and
   *  the tables and indexes of every existing generation (so new indexes reach old files). */
  private createSchema(): void {
    this.writer.exec(BASE_SCHEMA);
    const now = new Date().toISOString();
    for (const projection of PROJECTION_NAMES) {
      const created = this.writer
        .prepare(`INSERT INTO projection_generations (projection, active_generation, max_generation) VALUES (?, 1, 1) ON CONFLICT DO NOTHING`)
        .run(projection);
      if (created.changes > 0) {
        this.writer
          .prepare(`INSERT INTO checkpoints (projection, generation, position, updated_at) VALUES (?, 1, 0, ?) ON CONFLICT DO NOTHING`)
          .run(projection, now);
      }
      const generations = this.writer.prepare(`SELECT generation FROM checkpoints WHERE projection = ?`).pluck().all(projection) as number[];
      for (const generation of generations) this.writer.exec(this.generationDdl(projection, generation));
    }
  }

  private generationDdl(projection: ProjectionName, generation: number, options?: { indexes?: boolean }): string {
    return tableDdl(generationName(projection, generation), TABLE_OF[projection] as TableSpec<unknown>, options);
  }

  async init(): Promise<void> {
    await this.writeLock.run(async () => {
      this.assertOpen();
      this.writer.transaction(() => this.createSchema()).immediate();
    });
  }

  private generationExists(db: Database.Database, projection: ProjectionName, generation: number): boolean {
    return db.prepare(`SELECT 1 FROM checkpoints WHERE projection = ? AND generation = ?`).get(projection, generation) !== undefined;
  }

  async activeGeneration(projection: ProjectionName): Promise<number> {
    assertProjection(projection);
    return this.read(() => this.activeOn(this.reader, projection));
  }

  private activeOn(db: Database.Database, projection: ProjectionName): number {
    const active = (db === this.writer ? this.writes : this.reads).get(`SELECT active_generation FROM projection_generations WHERE projection = ?`).pluck().get(projection) as
      | number
      | undefined;
    if (active === undefined) throw new Error(`The read-model store has no generation for ${projection}: call init()`);
    return active;
  }

  async createGeneration(projection: ProjectionName): Promise<number> {
    assertProjection(projection);
    return this.writeLock.run(async () => {
      this.assertOpen();
      return this.writer
        .transaction(() => {
          const max = this.writer
            .prepare(`SELECT max_generation FROM projection_generations WHERE projection = ?`)
            .pluck()
            .get(projection) as number;
          const generation = max + 1;
          // No secondary index yet, and (queue) no counters kept: nothing queries a generation
          // before it is active, and a rebuild fills it faster without them. Activation adds
          // both, from the rows.
          this.writer.exec(this.generationDdl(projection, generation, { indexes: false }));
          this.writer
            .prepare(`INSERT INTO checkpoints (projection, generation, position, updated_at) VALUES (?, ?, 0, ?)`)
            .run(projection, generation, new Date().toISOString());
          this.writer.prepare(`UPDATE projection_generations SET max_generation = ? WHERE projection = ?`).run(generation, projection);
          return generation;
        })
        .immediate();
    });
  }

  async activateGeneration(projection: ProjectionName, generation: number): Promise<void> {
    assertProjection(projection);
    assertGeneration(generation);
    await this.writeLock.run(async () => {
      this.assertOpen();
      // One transaction (DDL is transactional in SQLite): readers see either the old
      // generation with its rows or the new one, never a pointer to a dropped table.
      this.writer
        .transaction(() => {
          if (!this.generationExists(this.writer, projection, generation)) {
            throw new Error(`Cannot activate generation ${generation} of ${projection}: it does not exist`);
          }
          if (this.activeOn(this.writer, projection) !== generation) {
            // What queries need, built from the rows: the secondary indexes and the counters.
            if (projection === 'queue') this.writer.exec(`DELETE FROM ${queueCountsTable(generationName(projection, generation))}`);
            this.writer.exec(this.generationDdl(projection, generation));
          }
          const others = this.writer
            .prepare(`SELECT generation FROM checkpoints WHERE projection = ? AND generation <> ?`)
            .pluck()
            .all(projection, generation) as number[];
          for (const other of others) {
            for (const table of generationTables(generationName(projection, other), TABLE_OF[projection] as TableSpec<unknown>)) {
              this.writer.exec(`DROP TABLE IF EXISTS ${table}`);
            }
          }
          this.writer.prepare(`DELETE FROM checkpoints WHERE projection = ? AND generation <> ?`).run(projection, generation);
          this.writer.prepare(`UPDATE projection_generations SET active_generation = ? WHERE projection = ?`).run(generation, projection);
        })
        .immediate();
      // Statements on the dropped tables are of no further use.
      this.writes.clear();
    });
  }

  // -------------------------------------------------------------------------------------------
  // Batches and checkpoints
  // -------------------------------------------------------------------------------------------

  /**
   * `BEGIN IMMEDIATE` that waits for another process's write lock without blocking the event
   * loop: no synchronous busy wait, short pauses between tries, up to the busy timeout.
   */
  private async beginImmediate(db: Database.Database): Promise<void> {
    const deadline = Date.now() + this.options.busyTimeoutMs;
    db.pragma('busy_timeout = 0');
    try {
      for (;;) {
        try {
          db.exec('BEGIN IMMEDIATE');
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      db.pragma(`busy_timeout = ${this.options.busyTimeoutMs}`);
    }
  }

  async runBatch(projection: ProjectionName, generation: number, work: (tx: ProjectionTx) => Promise<bigint>): Promise<void> {
    assertProjection(projection);
    assertGeneration(generation);
    await this.writeLock.run(async () => {
      this.assertOpen();
      const db = this.writer;
      // better-sqlite3's transaction helper cannot span an await, so the transaction is run by
      // hand; the write lock keeps anything else off this connection until it ends.
      // IMMEDIATE takes the write lock now, so another process's writer makes us wait (busy
      // timeout) up front instead of failing the transaction half-way — waiting asynchronously:
      // a synchronous busy wait would freeze the whole process (API, /health) while it lasts.
      await this.beginImmediate(db);
      let open = true;
      const table = generationName(projection, generation);
      const ensureOpen = (): void => {
        if (!open) throw new Error(`This ${projection} batch has ended; its tx can no longer be used`);
      };
      try {
        if (!this.generationExists(db, projection, generation)) {
          throw new Error(`Generation ${generation} of ${projection} does not exist (dropped by a rebuild, or never created)`);
        }
        const own = ROW_SET_OF[projection];
        // The queue's counters: the batch's net change, written once before the checkpoint.
        // (Only the active generation keeps them: a rebuild's new one is counted on activation.)
        const counts = own === 'queue' && this.activeOn(db, projection) === generation ? new Map<string, { key: SqlValue[]; n: number }>() : null;
        const tx: ProjectionTx = {
          queue:
            own === 'queue'
              ? this.rowSet(table, TABLE_OF.queue, ensureOpen, counts ?? undefined)
              : foreignRowSet<QueueRow>(projection, 'queue'),
          breaches:
            own === 'breaches'
              ? this.rowSet(table, TABLE_OF['sla-breaches'], ensureOpen)
              : foreignRowSet<SlaBreachRow>(projection, 'breaches'),
          facts:
            own === 'facts'
              ? this.rowSet(table, TABLE_OF['ticket-facts'], ensureOpen)
              : foreignRowSet<TicketFactsRow>(projection, 'facts'),
        };
        const position = await work(tx);
        assertPosition(position);
        if (counts && counts.size > 0) {
          const bump = this.writes.get(queueCountsBumpSql(table));
          for (const { key, n } of counts.values()) if (n !== 0) bump.run(...key, n);
        }
        this.writes
          .get(`UPDATE checkpoints SET position = ?, updated_at = ? WHERE projection = ? AND generation = ?`)
          .run(position, new Date().toISOString(), projection, generation);
        db.exec('COMMIT');
      } catch (error) {
        // Some errors (e.g. disk full) end the transaction themselves.
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      } finally {
        open = false;
      }
    });
  }

  /**
   * A batch's row set of one table. With `counts` (the queue), every put and delete also adds
   * its change of the counted columns to `counts`: the old values are read (by primary key)
   * before a row is replaced, and returned by the delete.
   */
  private rowSet<R>(table: string, spec: TableSpec<R>, ensureOpen: () => void, counts?: Map<string, { key: SqlValue[]; n: number }>): RowSet<R> {
    const select = (): Database.Statement => this.writes.get(`SELECT data FROM ${table} WHERE ${spec.key} = ?`).pluck();
    if (counts) return this.countedRowSet(table, spec as unknown as TableSpec<QueueRow>, ensureOpen, counts, select) as unknown as RowSet<R>;
    return {
      get: async (keys) => {
        ensureOpen();
        return rowsByKey<R>(select(), keys);
      },
      put: async (rows) => {
        ensureOpen();
        for (const row of rows) spec.check(row);
        const upsert = this.writes.get(upsertSql(table, spec));
        for (const row of rows) upsert.run(...rowValues(spec, row));
      },
      delete: async (keys) => {
        ensureOpen();
        const remove = this.writes.get(`DELETE FROM ${table} WHERE ${spec.key} = ?`);
        for (const key of keys) remove.run(key);
      },
    };
  }

  private countedRowSet(
    table: string,
    spec: TableSpec<QueueRow>,
    ensureOpen: () => void,
    counts: Map<string, { key: SqlValue[]; n: number }>,
    select: () => Database.Statement,
  ): RowSet<QueueRow> {
    const columns = QUEUE_COUNTED_COLUMNS.join(', ');
    return {
      get: async (keys) => {
        ensureOpen();
        return rowsByKey<QueueRow>(select(), keys);
      },
      put: async (rows) => {
        ensureOpen();
        for (const row of rows) spec.check(row);
        const upsert = this.writes.get(upsertSql(table, spec));
        const old = this.writes.get(`SELECT ${columns} FROM ${table} WHERE ${spec.key} = ?`).raw();
        for (const row of rows) {
          const before = old.get(spec.keyOf(row)) as CountedValues | undefined;
          const after = countedValues(row);
          if (!before || before.some((value, i) => value !== after[i])) {
            if (before) addQueueCounts(counts, before, -1);
            addQueueCounts(counts, after, +1);
          }
          upsert.run(...rowValues(spec, row));
        }
      },
      delete: async (keys) => {
        ensureOpen();
        const remove = this.writes.get(`DELETE FROM ${table} WHERE ${spec.key} = ? RETURNING ${columns}`).raw();
        for (const key of keys) {
          const before = remove.get(key) as CountedValues | undefined;
          if (before) addQueueCounts(counts, before, -1);
        }
      },
    };
  }

  async checkpoint(projection: ProjectionName, generation: number): Promise<bigint> {
    assertProjection(projection);
    assertGeneration(generation);
    return this.read(() => {
      // safeIntegers: positions are read as bigint, exact beyond 2^53.
      const position = this.reads
        .get(`SELECT position FROM checkpoints WHERE projection = ? AND generation = ?`)
        .pluck()
        .safeIntegers(true)
        .get(projection, generation) as bigint | undefined;
      return position ?? 0n;
    });
  }

  async cursor(name: string): Promise<bigint> {
    assertCursorName(name);
    return this.read(() => {
      const position = this.reads.get(`SELECT position FROM cursors WHERE name = ?`).pluck().safeIntegers(true).get(name);
      return (position as bigint | undefined) ?? 0n;
    });
  }

  async setCursor(name: string, position: bigint): Promise<void> {
    assertCursorName(name);
    assertPosition(position, 'cursor position');
    await this.writeLock.run(async () => {
      this.assertOpen();
      this.writes
        .get(
          `INSERT INTO cursors (name, position, updated_at) VALUES (?, ?, ?) ` +
            `ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
        )
        .run(name, position, new Date().toISOString());
    });
  }

  // -------------------------------------------------------------------------------------------
  // Queries (reader connection, active generation)
  // -------------------------------------------------------------------------------------------

  /** Runs `fn` in one read transaction: one snapshot for the generation pointer and the rows. */
  private read<T>(fn: () => T): T {
    this.assertOpen();
    this.reader.exec('BEGIN');
    try {
      return fn();
    } finally {
      if (this.reader.inTransaction) this.reader.exec('COMMIT');
    }
  }

  private activeTable(projection: ProjectionName): string {
    return generationName(projection, this.activeOn(this.reader, projection));
  }

  private async getOne<R>(projection: 'queue' | 'ticket-facts', ticketId: string): Promise<R | null> {
    if (typeof ticketId !== 'string') throw new ReadModelQueryError('ticketId must be a string');
    return this.read(() => {
      const data = this.reads.get(`SELECT data FROM ${this.activeTable(projection)} WHERE ticket_id = ?`).pluck().get(ticketId);
      return data === undefined ? null : parse<R>(data);
    });
  }

  private async findQueue(filter: QueueFilter, page: PageRequest): Promise<Page<QueueRow>> {
    const q = queueQuery(filter);
    const first = pageSize(page);
    const after = page?.after === undefined || page.after === null ? null : decodeQueueCursor(page.after);
    return this.read(() => {
      const sql = queueSql(this.activeTable('queue'), q, after, first);
      const count = (): number => this.reads.get(sql.count.sql).pluck().get(...sql.count.params) as number;
      // From the counts table the total costs next to nothing: get it first, and skip the
      // page query when nothing matches (it would read the whole index to find nothing).
      let totalCount = sql.countFromTotals ? count() : -1;
      if (totalCount === 0) return toPage<QueueRow>([], first, 0, encodeQueueCursor);
      const rows = this.reads
        .get(sql.page.sql)
        .pluck()
        .all(...sql.page.params)
        .map((data) => this.queueRows.parse(data as string));
      // A first page that holds everything is its own count.
      if (totalCount < 0) totalCount = !after && rows.length <= first ? rows.length : count();
      return toPage(rows, first, totalCount, encodeQueueCursor);
    });
  }

  private async dueForWatcher(at: IsoTime, limit: number): Promise<QueueRow[]> {
    const time = queryTime('at', at);
    const max = watcherLimit(limit);
    // In chunks, yielding to the event loop between them: after downtime thousands of rows can
    // be due, and reading them in one go would hold up every other query for a third of a
    // second. Each chunk continues strictly after the last row of the previous one.
    const rows: QueueRow[] = [];
    let after: { watchAt: string; ticketId: string } | null = null;
    while (rows.length < max) {
      const from = after;
      const chunk = this.read(() => {
        const table = this.activeTable('queue');
        const rest = Math.min(WATCHER_CHUNK, max - rows.length);
        return from
          ? this.reads
              .get(`SELECT data FROM ${table} WHERE watch_at <= ? AND (watch_at, ticket_id) > (?, ?) ORDER BY watch_at, ticket_id LIMIT ?`)
              .pluck()
              .all(time, from.watchAt, from.ticketId, rest)
          : this.reads.get(`SELECT data FROM ${table} WHERE watch_at <= ? ORDER BY watch_at, ticket_id LIMIT ?`).pluck().all(time, rest);
      });
      for (const data of chunk) rows.push(parse<QueueRow>(data));
      const last = rows[rows.length - 1];
      if (chunk.length < WATCHER_CHUNK || !last) break;
      after = { watchAt: watchAt(last)!, ticketId: last.ticketId };
      await nextTurn();
    }
    return rows;
  }

  private async findBreaches(filter: BreachFilter, page: PageRequest): Promise<Page<SlaBreachRow>> {
    const q = breachQuery(filter);
    const first = pageSize(page);
    const after = page?.after === undefined || page.after === null ? null : decodeBreachCursor(page.after);
    return this.read(() => {
      const table = this.activeTable('sla-breaches');
      const { conditions, params } = breachConditions(q);
      // Descending time, ascending key: "after" is an earlier time, or the same time and a
      // greater key. The first condition alone bounds the index range.
      const pageConditions = after ? [...conditions, 'breached_at <= ?', '(breached_at < ? OR key > ?)'] : conditions;
      const pageParams = after ? [...params, after.breachedAt, after.breachedAt, after.key] : params;
      const rows = this.reads
        .get(`SELECT data FROM ${table}${where(pageConditions)} ORDER BY breached_at DESC, key LIMIT ?`)
        .pluck()
        .all(...pageParams, first + 1)
        .map((data) => parse<SlaBreachRow>(data));
      const count = (): number => this.reads.get(`SELECT count(*) FROM ${table}${where(conditions)}`).pluck().get(...params) as number;
      const totalCount = !after && rows.length <= first ? rows.length : count();
      return toPage(rows, first, totalCount, encodeBreachCursor);
    });
  }

  private openedBefore(to: IsoTime, tier?: string): AsyncIterable<TicketFactsRow> {
    // Validated now, not at the first `next()`, so bad input fails where it is passed.
    const before = queryTime('to', to);
    if (tier !== undefined && typeof tier !== 'string') throw new ReadModelQueryError('tier must be a string');
    this.assertOpen();
    const { path, busyTimeoutMs } = this.options;
    const isClosed = (): boolean => this.closed;
    return {
      async *[Symbol.asyncIterator]() {
        if (isClosed()) throw new Error('The read-model store is closed');
        // Its own connection: a statement being iterated keeps its connection busy, and the
        // consumer may await other queries between rows. The read transaction holds one
        // snapshot for the whole iteration, however long it takes.
        const db = new Database(path, { readonly: true, timeout: busyTimeoutMs });
        try {
          db.exec('BEGIN');
          const active = db
            .prepare(`SELECT active_generation FROM projection_generations WHERE projection = 'ticket-facts'`)
            .pluck()
            .get() as number;
          const table = generationName('ticket-facts', active);
          const select = (condition: string): Database.Statement =>
            db.prepare(`SELECT data FROM ${table} WHERE ${condition} ORDER BY opened_at, ticket_id`).pluck();
          const rows = tier === undefined ? select('opened_at < ?').iterate(before) : select('tier = ? AND opened_at < ?').iterate(tier, before);
          let count = 0;
          for (const data of rows) {
            yield parse<TicketFactsRow>(data);
            // for-await over rows already read runs on microtasks only: let I/O (other
            // requests) in now and then, or a report over a million facts stalls the process.
            if (++count % STREAM_YIELD_EVERY === 0) await nextTurn();
            // A connection cannot be closed under a running statement, so the store's close()
            // cannot end this one: it ends here, loudly (a report must not pass for complete).
            if (isClosed()) throw new Error('The read-model store was closed during the iteration');
          }
        } finally {
          // Leaving the loop (end, break or throw) has finalised the statement.
          db.close();
        }
      },
    };
  }

  /**
   * SQLite's `data_version` of the reader connection: it changes when any other connection
   * (the writer here, or another process's) commits, and the reader never writes itself.
   */
  changeToken(): number | null {
    if (this.closed) return null;
    return this.dataVersion.get() as number;
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return this.reader.prepare('SELECT 1').pluck().get() === 1;
    } catch {
      return false;
    }
  }

  /**
   * Lets the batch in flight finish, then closes both connections. An `openedBefore`
   * iteration still under way fails at its next row and closes its own connection.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeLock.idle();
    this.reader.close();
    this.writer.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The read-model store is closed');
  }
}
