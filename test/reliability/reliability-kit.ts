/**
 * Shared by the conflicting-writes, hostile-input and isolation tests: raw HTTP GraphQL calls
 * (status and body text kept, so a 5xx or a leaked stack is seen as sent), a read-only look at
 * the event log under DATA_DIR, the read-model vs clean-rebuild comparison, and figures.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@tracedesk/event-store';
import { PROJECTION_NAMES, SqliteReadModelStore } from '@tracedesk/read-models';
import { ALL_PROJECTIONS, rebuildProjections, snapshotReadModels, type ReadModelSnapshot } from '@tracedesk/projections';

/** The codes API.md allows (`RATE_LIMITED` is the gateway's documented addition). */
export const API_CODES = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RULE_VIOLATION'] as const;

export interface RawReply {
  status: number;
  text: string;
  /** The parsed body, or undefined when it was not JSON. */
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }> } | undefined;
}

/** POSTs a raw body (string or JSON value) and keeps everything the server answered. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  options: { raw?: boolean } = {},
): Promise<RawReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: options.raw ? (body as string | Uint8Array) : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: RawReply['body'];
  try {
    parsed = JSON.parse(text) as RawReply['body'];
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * What must never reach a client: stack frames, source paths, JS error class names, storage
 * engine messages. (Messages quoting the client's own input are checked by the callers with
 * inputs that cannot match these.)
 */
export const INTERNALS: readonly RegExp[] = [
  /\bat [\w.<>$]+ \(/, // a stack frame: "at fn (file:line)"
  /\bat (?:file:\/\/|node:internal|\/[^\s:]+:\d+:\d+)/, // an anonymous stack frame
  /node_modules/,
  /\/(work|home|tmp|usr|app)\/[\w.-]+/, // an absolute path
  /\.(ts|js|mjs|cjs):\d+/, // a source position
  /\b(TypeError|ReferenceError|RangeError|SyntaxError|EvalError|URIError|AggregateError)\b/,
  /SQLITE|sqlite3|better-sqlite|MongoServerError|ECONNREFUSED|EPIPE/i,
  /Cannot read propert|is not a function|undefined is not|of undefined|of null\b/,
  /Maximum call stack/,
];

export function leaks(text: string): string | null {
  for (const pattern of INTERNALS) {
    const match = pattern.exec(text);
    if (match) return `${pattern}: …${text.slice(Math.max(0, match.index - 60), match.index + 80)}…`;
  }
  return null;
}

/** Read-only view of DATA_DIR/events.db (WAL: readable while the server writes). */
export class EventLog {
  private readonly db: Database.Database;
  private readonly head: Database.Statement;
  private readonly byCorrelation: Database.Statement;
  private readonly streamCount: Database.Statement;

  constructor(dataDir: string) {
    this.db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    this.head = this.db.prepare('SELECT coalesce(max(position), 0) AS head, count(*) AS events FROM events');
    this.byCorrelation = this.db.prepare("SELECT count(*) FROM events WHERE json_extract(metadata, '$.correlationId') = ?").pluck();
    this.streamCount = this.db.prepare('SELECT count(*) FROM events WHERE stream_id LIKE ?').pluck();
  }

  /** Global head position and number of events. */
  stats(): { head: number; events: number } {
    return this.head.get() as { head: number; events: number };
  }

  /** Events written under a correlation id (every request carries its own). */
  eventsOf(correlationId: string): number {
    return this.byCorrelation.get(correlationId) as number;
  }

  /** Events of streams whose id starts with `prefix`. */
  eventsInStreams(prefix: string): number {
    return this.streamCount.get(`${prefix}%`) as number;
  }

  close(): void {
    this.db.close();
  }
}

/**
 * After the server has stopped: the read models it left must equal, row for row, a clean
 * rebuild of the same log into a fresh read-model database; and every projection must have
 * reached the head of the log (else the comparison would be of different prefixes).
 */
export async function compareWithCleanRebuild(dataDir: string): Promise<{ actual: ReadModelSnapshot; expected: ReadModelSnapshot; head: bigint; checkpoints: bigint[] }> {
  const store = new SqliteEventStore({ path: join(dataDir, 'events.db') });
  const survived = new SqliteReadModelStore({ path: join(dataDir, 'read-models.db') });
  const clean = new SqliteReadModelStore({ path: join(dataDir, 'clean-rebuild.db') });
  try {
    await survived.init();
    await clean.init();
    const head = await store.headPosition();
    const checkpoints: bigint[] = [];
    for (const name of PROJECTION_NAMES) checkpoints.push(await survived.checkpoint(name, await survived.activeGeneration(name)));
    await rebuildProjections(store, clean, ALL_PROJECTIONS);
    return { actual: await snapshotReadModels(survived), expected: await snapshotReadModels(clean), head, checkpoints };
  } finally {
    await Promise.all([store.close(), survived.close(), clean.close()]);
  }
}

/** Prints a test's figures and keeps them in tmp/reliability/<name>.json (for docs/reliability.md). */
export function report(name: string, figures: Record<string, unknown>): void {
  const dir = join(process.cwd(), 'tmp', 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);
  process.stdout.write(`\n[${name}] ${JSON.stringify(figures)}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `parallel` in flight. */
export async function pool<T, R>(items: readonly T[], parallel: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}
