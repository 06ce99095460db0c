/**
 * Read models: what projections write and what queries read. One port, two adapters
 * (embedded SQLite, MongoDB), held to one contract suite. Rows are plain data; this library
 * knows nothing of the domain's rules (projections map events to rows).
 *
 * Every projection writes only through `runBatch`, which commits the batch's row changes and
 * the projection's checkpoint in one transaction, so a crash at any point leaves the read
 * model exactly as a clean rebuild up to the checkpoint would.
 *
 * Blue/green rebuilds: each projection's rows live in a *generation* (a set of tables or
 * collections named with the generation number). Queries read the active generation; a
 * rebuild fills a new one and then activates it, dropping the old.
 */

export type ProjectionName = 'queue' | 'sla-breaches' | 'ticket-facts';
export const PROJECTION_NAMES: readonly ProjectionName[] = ['queue', 'sla-breaches', 'ticket-facts'];

/** Timestamps are ISO-8601 UTC strings with milliseconds (`Date.prototype.toISOString`). */
export type IsoTime = string;

export interface QueueClock {
  metric: string;
  status: 'RUNNING' | 'PAUSED' | 'MET' | 'BREACHED';
  dueAt: IsoTime | null;
  /** When the clock passes the policy's at-risk share of its target; null once warned or not running. */
  warnAt: IsoTime | null;
  atRisk: boolean;
  breachedAt: IsoTime | null;
}

/** One row per ticket that is not closed. */
export interface QueueRow {
  ticketId: string;
  organizationId: string;
  title: string;
  status: string;
  priority: string;
  tier: string;
  channel: string;
  type: string;
  group: string | null;
  assigneeId: string | null;
  escalationLevel: number;
  openedAt: IsoTime;
  updatedAt: IsoTime;
  clocks: QueueClock[];
  /** Earliest `dueAt` among RUNNING clocks: the queue's sort key (null sorts last). */
  nextDueAt: IsoTime | null;
  /** Earliest `warnAt` among RUNNING clocks: what the deadline watcher looks for. */
  nextWarnAt: IsoTime | null;
  breached: boolean;
  atRisk: boolean;
  /** Last ticket revision folded into this row. */
  revision: number;
  /** The projection's own working state for this ticket (opaque JSON to the store). */
  state: Record<string, unknown>;
}

/** One row per breach of one clock cycle. Key: `${ticketId}:${metric}:${cycle}`. */
export interface SlaBreachRow {
  key: string;
  ticketId: string;
  organizationId: string;
  metric: string;
  cycle: number;
  tier: string;
  priority: string;
  dueAt: IsoTime;
  breachedAt: IsoTime;
  /** Business milliseconds late: at detection, then the final figure once the clock is met. */
  lateByMs: number;
  /** When the late answer / resolution finally came; null while still outstanding. */
  metAt: IsoTime | null;
  group: string | null;
  assigneeId: string | null;
}

/** One row per ticket: the facts per-tier reports are computed from. */
export interface TicketFactsRow {
  ticketId: string;
  organizationId: string;
  tier: string;
  priority: string;
  channel: string;
  type: string;
  status: string;
  openedAt: IsoTime;
  firstRespondedAt: IsoTime | null;
  /** Business ms from opening to the first response. */
  firstResponseMs: number | null;
  /** The first-response target at the time of the response, if the ticket had one. */
  firstResponseTargetMs: number | null;
  firstResponseWithinTarget: boolean | null;
  resolvedAt: IsoTime | null;
  /** Business ms from opening to (the last) resolution, without paused time. */
  resolutionMs: number | null;
  pausedMs: number;
  breaches: number;
  escalations: number;
  reopenCount: number;
  closedAt: IsoTime | null;
}

/** Keyed rows of one read model, read and written inside a batch transaction. */
export interface RowSet<R> {
  get(keys: readonly string[]): Promise<Map<string, R>>;
  put(rows: readonly R[]): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

/**
 * The row sets of one batch. A batch uses only its own projection's row set (queue → `queue`,
 * sla-breaches → `breaches`, ticket-facts → `facts`), in the batch's generation: the checkpoint
 * committed with it covers that read model alone. The others reject. Await each call before
 * making the next (a MongoDB transaction runs one operation at a time).
 */
export interface ProjectionTx {
  queue: RowSet<QueueRow>;
  breaches: RowSet<SlaBreachRow>;
  facts: RowSet<TicketFactsRow>;
}

export interface Page<R> {
  rows: R[];
  totalCount: number;
  hasNextPage: boolean;
  /** Opaque cursor of the last row, to pass as `after`. */
  endCursor: string | null;
}

export interface PageRequest {
  /** 1..500; default 50. */
  first?: number;
  after?: string;
}

export interface QueueFilter {
  organizationId?: string;
  /** Default: the open statuses NEW, OPEN, AWAITING_CUSTOMER. */
  status?: string[];
  priority?: string[];
  tier?: string[];
  group?: string;
  /** `null` selects unassigned tickets. */
  assigneeId?: string | null;
  escalationLevel?: number;
  breached?: boolean;
  atRisk?: boolean;
}

export interface BreachFilter {
  organizationId?: string;
  ticketId?: string;
  metric?: string;
  tier?: string;
  priority?: string;
  group?: string;
  /** breachedAt >= from */
  from?: IsoTime;
  /** breachedAt < to */
  to?: IsoTime;
}

export interface TierReportRow {
  tier: string;
  priority: string;
  opened: number;
  firstResponses: number;
  /** Share 0..1 of first responses met within target (1 when none had a target). */
  firstResponseWithinTarget: number;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
  breaches: number;
  escalations: number;
  backlog: number;
}

export interface QueueQueries {
  /** Ordered by nextDueAt ascending (null last), then ticketId. */
  find(filter: QueueFilter, page: PageRequest): Promise<Page<QueueRow>>;
  get(ticketId: string): Promise<QueueRow | null>;
  /** Rows with a RUNNING clock due (nextDueAt <= at) or to warn (nextWarnAt <= at), earliest first. */
  dueForWatcher(at: IsoTime, limit: number): Promise<QueueRow[]>;
}

export interface BreachQueries {
  /** Ordered by breachedAt descending, then key. */
  find(filter: BreachFilter, page: PageRequest): Promise<Page<SlaBreachRow>>;
}

export interface FactsQueries {
  get(ticketId: string): Promise<TicketFactsRow | null>;
  /** Facts of tickets opened before `to` (and, for `tier`, of that tier): what reports need. */
  openedBefore(to: IsoTime, tier?: string): AsyncIterable<TicketFactsRow>;
}

export interface ReadModelStore {
  /** Creates tables / collections and indexes (idempotent). */
  init(): Promise<void>;
  /**
   * Runs one batch of a projection in one transaction: `work` reads and writes rows through
   * `tx` and returns the position of the last event it handled, stored as the checkpoint in the
   * same transaction. A failure rolls everything back. Batches of a projection run one at a
   * time, in call order (on SQLite, all batches of the store do); `work` must not call
   * `runBatch` itself (it would wait for itself). It may be run again if the database
   * asks to retry the transaction (MongoDB), so it must only read state through `tx`.
   * Rejects when `generation` does not exist (e.g. dropped by a rebuild's activation).
   */
  runBatch(projection: ProjectionName, generation: number, work: (tx: ProjectionTx) => Promise<bigint>): Promise<void>;
  /** The checkpoint of a generation (0n when it has none). */
  checkpoint(projection: ProjectionName, generation: number): Promise<bigint>;
  /** The generation queries read (1 on a fresh store). */
  activeGeneration(projection: ProjectionName): Promise<number>;
  /** Creates an empty generation after the highest one, not active; returns its number. */
  createGeneration(projection: ProjectionName): Promise<number>;
  /** Makes `generation` the one queries read, then drops every other generation's data. */
  activateGeneration(projection: ProjectionName, generation: number): Promise<void>;
  /**
   * A named position kept beside the read models for followers of the log that are not
   * projections (e.g. a saga): 0n when never set.
   */
  cursor(name: string): Promise<bigint>;
  setCursor(name: string, position: bigint): Promise<void>;
  readonly queue: QueueQueries;
  readonly breaches: BreachQueries;
  readonly facts: FactsQueries;
  /**
   * A value that differs from the one read before whenever a change was committed in between,
   * by this store or any other writer of the same data (another process, a rebuild): what a
   * cache of query results checks before reusing one. Compare values of one store instance
   * only. `null` when the store cannot tell cheaply (then nothing may be reused).
   */
  changeToken(): number | null;
  /** Reachable? (for readiness) */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
