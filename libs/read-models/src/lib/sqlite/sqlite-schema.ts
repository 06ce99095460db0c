/**
 * The SQLite tables of the read models. Each row is stored twice over: `data` holds the whole
 * row as JSON (what reads return, so rows round-trip exactly), and real columns hold the
 * scalar fields, indexed where a query filters or sorts on them and plain for analysts' SQL.
 * docs/read-models.md describes every column.
 */
import { dueSortKey } from '../pagination.js';
import type { ProjectionName, QueueRow, SlaBreachRow, TicketFactsRow } from '../read-models.port.js';
import { checkBreachRow, checkFactsRow, checkQueueRow, watchAt } from '../store-support.js';

export type SqlValue = string | number | null;

interface Column<R> {
  name: string;
  type: string;
  value: (row: R) => SqlValue;
}

export interface TableSpec<R> {
  /** Primary key column. */
  key: string;
  keyOf: (row: R) => string;
  check: (row: R) => void;
  columns: Array<Column<R>>;
  /** [index name suffix, column list, partial-index condition]; named `<table>_<suffix>`. */
  indexes: Array<[suffix: string, columns: string, where?: string]>;
  /** More statements of the generation (tables), after the table and its indexes. */
  extraDdl?: (table: string) => string;
  /** Tables besides `table` that belong to the generation (dropped with it). */
  extraTables?: (table: string) => string[];
}

const bool = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);
const col = <R>(name: string, type: string, value: (row: R) => SqlValue): Column<R> => ({ name, type, value });
const json = <R>(): Column<R> => col<R>('data', 'TEXT NOT NULL', (row) => JSON.stringify(row));

/** Every column a queue filter can test. */
const QUEUE_FILTER_COLUMNS = [
  'status',
  'priority',
  'tier',
  'escalation_level',
  'breached',
  'at_risk',
  'organization_id',
  'group_name',
  'assignee_id',
];

/**
 * The few-valued filter columns: the queue's counts table keeps the number of rows per
 * combination of them, so a total over them reads a few hundred counters, not every match.
 */
export const QUEUE_COUNT_DIMENSIONS = ['status', 'priority', 'tier', 'escalation_level', 'breached', 'at_risk'];

/**
 * The scopes counted, each with the value it is counted by: every row once in `all`, and once
 * per many-valued filter column it can be filtered by. A null group is never filtered on.
 */
type RowAlias = 'new' | 'old';
export const QUEUE_COUNT_SCOPES: ReadonlyArray<[scope: string, value: (row: RowAlias) => string, when?: (row: RowAlias) => string]> = [
  ['all', () => `''`],
  ['organization', (r) => `${r}.organization_id`],
  ['group', (r) => `${r}.group_name`, (r) => `${r}.group_name IS NOT NULL`],
  ['assignee', (r) => `coalesce(${r}.assignee_id, '')`, (r) => `${r}.assignee_id IS NOT NULL`],
  ['unassigned', () => `''`, (r) => `${r}.assignee_id IS NULL`],
];

/**
 * The columns a queue row is counted by, in this order: the six `QUEUE_COUNT_DIMENSIONS`, then
 * organization, group and assignee (what the scopes are chosen by).
 */
export const QUEUE_COUNTED_COLUMNS = [...QUEUE_COUNT_DIMENSIONS, 'organization_id', 'group_name', 'assignee_id'];
export type CountedValues = SqlValue[];

export function countedValues(row: QueueRow): CountedValues {
  return [row.status, row.priority, row.tier, row.escalationLevel, bool(row.breached), bool(row.atRisk), row.organizationId, row.group, row.assigneeId];
}

/**
 * Adds `sign` to every counter a row with these counted values is in: the JavaScript twin of
 * `QUEUE_COUNT_SCOPES` (and of the fill statements below), keyed by scope, value and the
 * dimensions.
 */
export function addQueueCounts(delta: Map<string, { key: SqlValue[]; n: number }>, values: CountedValues, sign: number): void {
  const dims = values.slice(0, QUEUE_COUNT_DIMENSIONS.length);
  const [organization, group, assignee] = values.slice(QUEUE_COUNT_DIMENSIONS.length);
  const add = (scope: string, value: SqlValue): void => {
    const key = [scope, value, ...dims];
    const id = key.join('\u0000');
    const entry = delta.get(id);
    if (entry) entry.n += sign;
    else delta.set(id, { key, n: sign });
  };
  add('all', '');
  add('organization', organization ?? null);
  if (group !== null && group !== undefined) add('group', group);
  if (assignee !== null && assignee !== undefined) add('assignee', assignee);
  else add('unassigned', '');
}

/**
 * A queue index: `lead` (a filter column with many values) first, then the queue order, then
 * every other filter column. Read in order it yields rows in queue order, already filtered from
 * the index alone (the row is only fetched for the 51 kept), and it covers the count query.
 */
function queueIndex(lead: string | null): string {
  return [...(lead ? [lead] : []), 'due_sort', 'ticket_id', ...QUEUE_FILTER_COLUMNS.filter((c) => c !== lead)].join(', ');
}

/** `queue_g3` → `queue_counts_g3`. */
export function queueCountsTable(table: string): string {
  return table.replace(/^queue_/, 'queue_counts_');
}

/** The statement adding a batch's net change to one counter. */
export function queueCountsBumpSql(table: string): string {
  const key = `scope, value, ${QUEUE_COUNT_DIMENSIONS.join(', ')}`;
  return (
    `INSERT INTO ${queueCountsTable(table)} (${key}, n) VALUES (${[...key.split(', '), 'n'].map(() => '?').join(', ')}) ` +
    `ON CONFLICT (${key}) DO UPDATE SET n = n + excluded.n`
  );
}

/**
 * Rows per scope (all, one organization, group, assignee, the unassigned) and combination of
 * the few-valued columns. The store keeps them in the same transaction as the row changes: it
 * reads the counted columns a batch replaces or deletes, and adds the batch's net change to each
 * counter once, before the checkpoint (per-row triggers did this before, at twice the cost of
 * an upsert; files made then lose the triggers here). The last statements fill a scope that has
 * no counters from the rows (a table created next to existing rows); kept by the store, a
 * scope has counters as soon as it has rows.
 */
function queueCountsDdl(table: string): string {
  const counts = queueCountsTable(table);
  const dims = QUEUE_COUNT_DIMENSIONS.join(', ');
  const key = `scope, value, ${dims}`;
  const of = (row: RowAlias): string => QUEUE_COUNT_DIMENSIONS.map((d) => `${row}.${d}`).join(', ');
  const fill = QUEUE_COUNT_SCOPES.map(
    ([scope, value, when]) =>
      `INSERT INTO ${counts} (${key}, n) SELECT '${scope}', ${value('new')}, ${of('new')}, count(*) FROM ${table} AS new ` +
      `WHERE ${when ? when('new') : 'true'} AND NOT EXISTS (SELECT 1 FROM ${counts} WHERE scope = '${scope}') ` +
      `GROUP BY 2, ${of('new')};`,
  ).join('\n');
  return `
CREATE TABLE IF NOT EXISTS ${counts} (
  scope TEXT NOT NULL, value TEXT NOT NULL,
  status TEXT NOT NULL, priority TEXT NOT NULL, tier TEXT NOT NULL,
  escalation_level INTEGER NOT NULL, breached INTEGER NOT NULL, at_risk INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (${key})
) WITHOUT ROWID;
DROP TRIGGER IF EXISTS ${table}_count_insert;
DROP TRIGGER IF EXISTS ${table}_count_delete;
DROP TRIGGER IF EXISTS ${table}_count_update;
${fill}`;
}

export const QUEUE_TABLE: TableSpec<QueueRow> = {
  key: 'ticket_id',
  keyOf: (row) => row.ticketId,
  check: checkQueueRow,
  columns: [
    col('ticket_id', 'TEXT PRIMARY KEY', (r) => r.ticketId),
    col('organization_id', 'TEXT NOT NULL', (r) => r.organizationId),
    col('title', 'TEXT NOT NULL', (r) => r.title),
    col('status', 'TEXT NOT NULL', (r) => r.status),
    col('priority', 'TEXT NOT NULL', (r) => r.priority),
    col('tier', 'TEXT NOT NULL', (r) => r.tier),
    col('channel', 'TEXT NOT NULL', (r) => r.channel),
    col('type', 'TEXT NOT NULL', (r) => r.type),
    col('group_name', 'TEXT', (r) => r.group),
    col('assignee_id', 'TEXT', (r) => r.assigneeId),
    col('escalation_level', 'INTEGER NOT NULL', (r) => r.escalationLevel),
    col('opened_at', 'TEXT NOT NULL', (r) => r.openedAt),
    col('updated_at', 'TEXT NOT NULL', (r) => r.updatedAt),
    col('next_due_at', 'TEXT', (r) => r.nextDueAt),
    col('next_warn_at', 'TEXT', (r) => r.nextWarnAt),
    col('breached', 'INTEGER NOT NULL', (r) => bool(r.breached)),
    col('at_risk', 'INTEGER NOT NULL', (r) => bool(r.atRisk)),
    col('revision', 'INTEGER NOT NULL', (r) => r.revision),
    // The queue order, never null: next_due_at, or '~' (after every time) when there is none.
    col('due_sort', 'TEXT NOT NULL', (r) => dueSortKey(r.nextDueAt)),
    // What the deadline watcher scans: the earlier of next_due_at and next_warn_at.
    col('watch_at', 'TEXT', (r) => watchAt(r)),
    json(),
  ],
  indexes: [
    ['due', queueIndex(null)],
    ['organization', queueIndex('organization_id')],
    ['group', queueIndex('group_name')],
    ['assignee', queueIndex('assignee_id')],
    // Partial: rows with nothing to watch (no running clock) are not in it at all.
    ['watch', 'watch_at, ticket_id', 'watch_at IS NOT NULL'],
  ],
  extraDdl: (table) => queueCountsDdl(table),
  extraTables: (table) => [queueCountsTable(table)],
};

export const BREACHES_TABLE: TableSpec<SlaBreachRow> = {
  key: 'key',
  keyOf: (row) => row.key,
  check: checkBreachRow,
  columns: [
    col('key', 'TEXT PRIMARY KEY', (r) => r.key),
    col('ticket_id', 'TEXT NOT NULL', (r) => r.ticketId),
    col('organization_id', 'TEXT NOT NULL', (r) => r.organizationId),
    col('metric', 'TEXT NOT NULL', (r) => r.metric),
    col('cycle', 'INTEGER NOT NULL', (r) => r.cycle),
    col('tier', 'TEXT NOT NULL', (r) => r.tier),
    col('priority', 'TEXT NOT NULL', (r) => r.priority),
    col('group_name', 'TEXT', (r) => r.group),
    col('assignee_id', 'TEXT', (r) => r.assigneeId),
    col('due_at', 'TEXT NOT NULL', (r) => r.dueAt),
    col('breached_at', 'TEXT NOT NULL', (r) => r.breachedAt),
    col('late_by_ms', 'INTEGER NOT NULL', (r) => r.lateByMs),
    col('met_at', 'TEXT', (r) => r.metAt),
    json(),
  ],
  // Newest first, then key: the DESC column lets the index give exactly that order.
  indexes: [
    ['breached_at', 'breached_at DESC, key'],
    ['ticket', 'ticket_id, breached_at DESC, key'],
    ['organization', 'organization_id, breached_at DESC, key'],
    ['tier', 'tier, breached_at DESC, key'],
    ['priority', 'priority, breached_at DESC, key'],
    ['metric', 'metric, breached_at DESC, key'],
    ['group', 'group_name, breached_at DESC, key'],
  ],
};

export const FACTS_TABLE: TableSpec<TicketFactsRow> = {
  key: 'ticket_id',
  keyOf: (row) => row.ticketId,
  check: checkFactsRow,
  columns: [
    col('ticket_id', 'TEXT PRIMARY KEY', (r) => r.ticketId),
    col('organization_id', 'TEXT NOT NULL', (r) => r.organizationId),
    col('tier', 'TEXT NOT NULL', (r) => r.tier),
    col('priority', 'TEXT NOT NULL', (r) => r.priority),
    col('channel', 'TEXT NOT NULL', (r) => r.channel),
    col('type', 'TEXT NOT NULL', (r) => r.type),
    col('status', 'TEXT NOT NULL', (r) => r.status),
    col('opened_at', 'TEXT NOT NULL', (r) => r.openedAt),
    col('first_responded_at', 'TEXT', (r) => r.firstRespondedAt),
    col('first_response_ms', 'INTEGER', (r) => r.firstResponseMs),
    col('first_response_target_ms', 'INTEGER', (r) => r.firstResponseTargetMs),
    col('first_response_within_target', 'INTEGER', (r) => bool(r.firstResponseWithinTarget)),
    col('resolved_at', 'TEXT', (r) => r.resolvedAt),
    col('resolution_ms', 'INTEGER', (r) => r.resolutionMs),
    col('paused_ms', 'INTEGER NOT NULL', (r) => r.pausedMs),
    col('breaches', 'INTEGER NOT NULL', (r) => r.breaches),
    col('escalations', 'INTEGER NOT NULL', (r) => r.escalations),
    col('reopen_count', 'INTEGER NOT NULL', (r) => r.reopenCount),
    col('closed_at', 'TEXT', (r) => r.closedAt),
    json(),
  ],
  indexes: [
    ['opened_at', 'opened_at, ticket_id'],
    ['tier', 'tier, opened_at, ticket_id'],
  ],
};

export const TABLE_OF = {
  queue: QUEUE_TABLE,
  'sla-breaches': BREACHES_TABLE,
  'ticket-facts': FACTS_TABLE,
} as const satisfies Record<ProjectionName, unknown>;

/**
 * CREATE TABLE / INDEX statements of one generation table (idempotent). Without `indexes`, the
 * secondary indexes are left out (a rebuild's new generation gets them on activation).
 */
export function tableDdl<R>(table: string, spec: TableSpec<R>, { indexes: withIndexes = true }: { indexes?: boolean } = {}): string {
  const columns = spec.columns.map((c) => `  ${c.name} ${c.type}`).join(',\n');
  const indexes = (withIndexes ? spec.indexes : []).map(
    ([suffix, list, where]) => `CREATE INDEX IF NOT EXISTS ${table}_${suffix} ON ${table} (${list})${where ? ` WHERE ${where}` : ''};`,
  );
  return [`CREATE TABLE IF NOT EXISTS ${table} (\n${columns}\n);`, ...indexes, spec.extraDdl?.(table) ?? ''].join('\n');
}

/** Every table of one generation. */
export function generationTables<R>(table: string, spec: TableSpec<R>): string[] {
  return [table, ...(spec.extraTables?.(table) ?? [])];
}

/** The upsert of one row: insert, or update every column of the existing row. */
export function upsertSql<R>(table: string, spec: TableSpec<R>): string {
  const names = spec.columns.map((c) => c.name);
  const updates = names.filter((n) => n !== spec.key).map((n) => `${n} = excluded.${n}`);
  return (
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
    `ON CONFLICT (${spec.key}) DO UPDATE SET ${updates.join(', ')}`
  );
}

export function rowValues<R>(spec: TableSpec<R>, row: R): SqlValue[] {
  return spec.columns.map((c) => c.value(row));
}
