/**
 * Query-side rules shared by both adapters, so SQLite and MongoDB accept the same input, order
 * rows the same way and exchange the same cursors: page sizes, opaque cursors, filter
 * validation and time normalisation. Bad input throws `ReadModelQueryError` (BAD_USER_INPUT).
 */
import { Buffer } from 'node:buffer';
import { ReadModelQueryError } from './read-model.errors.js';
import type { BreachFilter, IsoTime, PageRequest, QueueFilter, QueueRow, SlaBreachRow } from './read-models.port.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** The statuses the queue shows when the filter names none. */
export const DEFAULT_QUEUE_STATUSES: readonly string[] = ['NEW', 'OPEN', 'AWAITING_CUSTOMER'];
/** Most rows one `dueForWatcher` call may ask for (the watcher asks for 10,000). */
export const MAX_WATCHER_LIMIT = 100_000;
/** Most values in one list filter (`status`, `priority`, `tier`). */
const MAX_LIST_VALUES = 100;
const MAX_CURSOR_LENGTH = 2048;

/**
 * Stored instead of a null `nextDueAt` in the queue's sort key. '~' sorts after every digit,
 * so rows without a due time come last in plain ascending order and one ordinary index
 * serves the queue's order (SQLite and MongoDB both sort nulls first otherwise).
 */
export const NO_DUE_TIME = '~';

export function dueSortKey(nextDueAt: IsoTime | null): string {
  return nextDueAt ?? NO_DUE_TIME;
}

/** `first` of a page request: 1..500, default 50. */
export function pageSize(page: PageRequest | undefined): number {
  const first = page?.first ?? DEFAULT_PAGE_SIZE;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new ReadModelQueryError(`first must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${String(first)})`);
  }
  return first;
}

export function watcherLimit(limit: number): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_WATCHER_LIMIT) {
    throw new ReadModelQueryError(`limit must be an integer from 1 to ${MAX_WATCHER_LIMIT} (got ${String(limit)})`);
  }
  return limit;
}

// ---------------------------------------------------------------------------------------------
// Times
// ---------------------------------------------------------------------------------------------

/** The one stored time format: `Date.prototype.toISOString()` of a year 0000..9999. */
export const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_INPUT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A query's time argument in the stored format. Times are compared as text (they sort as
 * text only in one format), so `2026-01-01T10:00:00+01:00` must become `…T09:00:00.000Z`.
 */
export function queryTime(name: string, value: unknown): IsoTime {
  if (typeof value === 'string' && CANONICAL_TIME.test(value)) return value;
  const time = typeof value === 'string' && ISO_INPUT.test(value) ? new Date(value) : null;
  if (!time || Number.isNaN(time.getTime()) || time.getUTCFullYear() > 9999) {
    throw new ReadModelQueryError(
      `${name} must be an ISO-8601 time with a time zone, e.g. 2026-11-23T09:00:00.000Z (got ${JSON.stringify(value)})`,
    );
  }
  return time.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Cursors: base64url of a JSON array [kind, ...sort key]. Opaque to clients; the kind stops a
// breach cursor from being replayed against the queue.
// ---------------------------------------------------------------------------------------------

export interface QueueCursor {
  /** `nextDueAt` of the last row (null when it had none). */
  dueAt: IsoTime | null;
  ticketId: string;
}

export interface BreachCursor {
  breachedAt: IsoTime;
  key: string;
}

function encode(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

function decode(kind: string, cursor: unknown): unknown[] {
  const malformed = (): ReadModelQueryError => new ReadModelQueryError('after is not a cursor returned by this query');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw malformed();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformed();
  }
  if (!Array.isArray(parsed) || parsed[0] !== kind) throw malformed();
  return parsed;
}

export function encodeQueueCursor(row: Pick<QueueRow, 'nextDueAt' | 'ticketId'>): string {
  return encode(['q', row.nextDueAt, row.ticketId]);
}

export function decodeQueueCursor(cursor: unknown): QueueCursor {
  const parts = decode('q', cursor);
  const [, dueAt, ticketId] = parts;
  const validDue = dueAt === null || (typeof dueAt === 'string' && CANONICAL_TIME.test(dueAt));
  if (parts.length !== 3 || !validDue || typeof ticketId !== 'string') {
    throw new ReadModelQueryError('after is not a cursor returned by this query');
  }
  return { dueAt, ticketId };
}

export function encodeBreachCursor(row: Pick<SlaBreachRow, 'breachedAt' | 'key'>): string {
  return encode(['b', row.breachedAt, row.key]);
}

export function decodeBreachCursor(cursor: unknown): BreachCursor {
  const parts = decode('b', cursor);
  const [, breachedAt, key] = parts;
  if (parts.length !== 3 || typeof breachedAt !== 'string' || !CANONICAL_TIME.test(breachedAt) || typeof key !== 'string') {
    throw new ReadModelQueryError('after is not a cursor returned by this query');
  }
  return { breachedAt, key };
}

/** Builds a page from up to `first + 1` fetched rows (the extra one only says there is more). */
export function toPage<R>(fetched: R[], first: number, totalCount: number, cursorOf: (row: R) => string): {
  rows: R[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
} {
  const hasNextPage = fetched.length > first;
  const rows = hasNextPage ? fetched.slice(0, first) : fetched;
  const last = rows[rows.length - 1];
  return { rows, totalCount, hasNextPage, endCursor: last === undefined ? null : cursorOf(last) };
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/** A validated queue filter; absent fields do not filter. */
export interface QueueQuery {
  statuses: string[];
  organizationId?: string;
  priorities?: string[];
  tiers?: string[];
  group?: string;
  /** null: unassigned tickets only. */
  assigneeId?: string | null;
  escalationLevel?: number;
  breached?: boolean;
  atRisk?: boolean;
}

export interface BreachQuery {
  organizationId?: string;
  ticketId?: string;
  metric?: string;
  tier?: string;
  priority?: string;
  group?: string;
  from?: IsoTime;
  to?: IsoTime;
}

// GraphQL hands over `null` for a field sent as null; except for `assigneeId` (where null means
// "unassigned") a null filter field is treated as absent.
function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ReadModelQueryError(`${name} must be a string`);
  return value;
}

function optionalList(name: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_VALUES || !value.every((v) => typeof v === 'string')) {
    throw new ReadModelQueryError(`${name} must be a list of 1 to ${MAX_LIST_VALUES} strings`);
  }
  return [...new Set(value as string[])];
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ReadModelQueryError(`${name} must be true or false`);
  return value;
}

export function queueQuery(filter: QueueFilter | undefined): QueueQuery {
  const f = (filter ?? {}) as Record<keyof QueueFilter, unknown>;
  const query: QueueQuery = { statuses: optionalList('status', f.status) ?? [...DEFAULT_QUEUE_STATUSES] };
  const organizationId = optionalString('organizationId', f.organizationId);
  if (organizationId !== undefined) query.organizationId = organizationId;
  const priorities = optionalList('priority', f.priority);
  if (priorities) query.priorities = priorities;
  const tiers = optionalList('tier', f.tier);
  if (tiers) query.tiers = tiers;
  const group = optionalString('group', f.group);
  if (group !== undefined) query.group = group;
  if (f.assigneeId === null) query.assigneeId = null;
  else {
    const assigneeId = optionalString('assigneeId', f.assigneeId);
    if (assigneeId !== undefined) query.assigneeId = assigneeId;
  }
  if (f.escalationLevel !== undefined && f.escalationLevel !== null) {
    if (typeof f.escalationLevel !== 'number' || !Number.isInteger(f.escalationLevel) || f.escalationLevel < 0) {
      throw new ReadModelQueryError('escalationLevel must be a whole number of 0 or more');
    }
    query.escalationLevel = f.escalationLevel;
  }
  const breached = optionalBoolean('breached', f.breached);
  if (breached !== undefined) query.breached = breached;
  const atRisk = optionalBoolean('atRisk', f.atRisk);
  if (atRisk !== undefined) query.atRisk = atRisk;
  return query;
}

export function breachQuery(filter: BreachFilter | undefined): BreachQuery {
  const f = (filter ?? {}) as Record<keyof BreachFilter, unknown>;
  const query: BreachQuery = {};
  for (const name of ['organizationId', 'ticketId', 'metric', 'tier', 'priority', 'group'] as const) {
    const value = optionalString(name, f[name]);
    if (value !== undefined) query[name] = value;
  }
  if (f.from !== undefined && f.from !== null) query.from = queryTime('from', f.from);
  if (f.to !== undefined && f.to !== null) query.to = queryTime('to', f.to);
  return query;
}
