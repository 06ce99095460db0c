/**
 * Write-side rules shared by both adapters: naming of generations, the checks a row must pass
 * before it is stored, position bounds, and the in-process lock that serialises batches.
 */
import { CANONICAL_TIME } from './pagination.js';
import type {
  IsoTime,
  ProjectionName,
  ProjectionTx,
  QueueRow,
  RowSet,
  SlaBreachRow,
  TicketFactsRow,
} from './read-models.port.js';
import { PROJECTION_NAMES } from './read-models.port.js';

/** Which row set of `ProjectionTx` each projection owns. */
export const ROW_SET_OF: Readonly<Record<ProjectionName, keyof ProjectionTx>> = {
  queue: 'queue',
  'sla-breaches': 'breaches',
  'ticket-facts': 'facts',
};

/** Table / collection name stem per projection (no '-': plain identifiers in SQL and mongosh). */
export const NAME_STEM: Readonly<Record<ProjectionName, string>> = {
  queue: 'queue',
  'sla-breaches': 'sla_breaches',
  'ticket-facts': 'ticket_facts',
};

/** `queue_g3`: the table / collection holding generation 3 of the queue. */
export function generationName(projection: ProjectionName, generation: number): string {
  return `${NAME_STEM[projection]}_g${generation}`;
}

/** Matches generation table / collection names: [, stem, generation]. */
export const GENERATION_NAME = /^(queue|sla_breaches|ticket_facts)_g([1-9]\d*)$/;

export function projectionOfStem(stem: string): ProjectionName | undefined {
  return PROJECTION_NAMES.find((p) => NAME_STEM[p] === stem);
}

export function assertProjection(projection: unknown): asserts projection is ProjectionName {
  if (typeof projection !== 'string' || !(PROJECTION_NAMES as readonly string[]).includes(projection)) {
    throw new TypeError(`Unknown projection ${JSON.stringify(projection)}; expected one of ${PROJECTION_NAMES.join(', ')}`);
  }
}

/** Generation numbers go into table names, so only positive safe integers pass. */
export function assertGeneration(generation: unknown): asserts generation is number {
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 1) {
    throw new TypeError(`A generation is a whole number of 1 or more (got ${String(generation)})`);
  }
}

/** Positions are stored as signed 64-bit integers (SQLite INTEGER, BSON Int64). */
export const MAX_POSITION = 2n ** 63n - 1n;

export function assertPosition(position: unknown, what = 'checkpoint'): asserts position is bigint {
  if (typeof position !== 'bigint' || position < 0n || position > MAX_POSITION) {
    throw new TypeError(`A ${what} must be a bigint from 0 to 2^63-1 (got ${String(position)})`);
  }
}

export function assertCursorName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new TypeError('A cursor name is a string of 1 to 200 characters');
  }
}

function assertTime(model: string, key: string, field: string, value: unknown, nullable: boolean): void {
  if (nullable && value === null) return;
  if (typeof value !== 'string' || !CANONICAL_TIME.test(value)) {
    const expected = `${nullable ? 'null or ' : ''}an ISO-8601 UTC time as toISOString() writes it`;
    throw new TypeError(`${model} row ${key}: ${field} must be ${expected} (got ${JSON.stringify(value)})`);
  }
}

function assertKey(model: string, key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${model} row without a key (got ${JSON.stringify(key)})`);
}

// Sorted and compared columns are checked before they are stored: a time in another format
// would sort wrongly for ever, silently; better that the batch fails and is retried after a fix.
export function checkQueueRow(row: QueueRow): void {
  assertKey('queue', row.ticketId);
  assertTime('queue', row.ticketId, 'nextDueAt', row.nextDueAt, true);
  assertTime('queue', row.ticketId, 'nextWarnAt', row.nextWarnAt, true);
}

export function checkBreachRow(row: SlaBreachRow): void {
  assertKey('sla-breaches', row.key);
  assertTime('sla-breaches', row.key, 'breachedAt', row.breachedAt, false);
}

export function checkFactsRow(row: TicketFactsRow): void {
  assertKey('ticket-facts', row.ticketId);
  assertTime('ticket-facts', row.ticketId, 'openedAt', row.openedAt, false);
}

/** When the deadline watcher must look at a row: the earlier of `nextDueAt` and `nextWarnAt`. */
export function watchAt(row: Pick<QueueRow, 'nextDueAt' | 'nextWarnAt'>): IsoTime | null {
  const { nextDueAt: due, nextWarnAt: warn } = row;
  if (due === null) return warn;
  if (warn === null) return due;
  return warn < due ? warn : due;
}

/** A row set a batch may not touch: each batch writes only its own projection's read model. */
export function foreignRowSet<R>(projection: ProjectionName, model: keyof ProjectionTx): RowSet<R> {
  const refuse = (): Promise<never> =>
    Promise.reject(
      new Error(`A ${projection} batch can only use tx.${ROW_SET_OF[projection]}, not tx.${model} (its checkpoint would not cover it)`),
    );
  return { get: refuse, put: refuse, delete: refuse };
}

/** A FIFO lock over promises: `run` starts `task` once every earlier task has settled. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
