/**
 * Shared by the server-crash, bad-configuration and soak tests (no jest in here: `npm run soak`
 * imports it too): the real server (`apps/gateway/src/main.ts`, as `npm start` runs it) as a
 * child process over a DATA_DIR that survives restarts, the log read through its own read-only
 * connection, hash chains, the read-model vs clean-rebuild comparison, RSS and percentiles.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { verifyChain, type ChainVerification } from '@tracedesk/application';
import { SqliteEventStore, type JsonObject } from '@tracedesk/event-store';
import { SqliteReadModelStore } from '@tracedesk/read-models';
import { ALL_PROJECTIONS, rebuildProjections, snapshotReadModels, type ReadModelSnapshot } from '@tracedesk/projections';
import { signToken, type TokenClaims } from '../../apps/gateway/src/auth/jwt.js';

export const GATEWAY_MAIN = join(process.cwd(), 'apps/gateway/src/main.ts');
export const NODE_FLAGS = ['--import', '@swc-node/register/esm-register', '--no-warnings'];

/** The seeded PRNG of the simulations (mulberry32): the same seed replays the same choices. */
export { seededRandom } from '@tracedesk/domain';

/** The seed from `name` in the environment, or a fresh one; print it so a failure can be replayed. */
export function seedFrom(name: string): number {
  const raw = process.env[name];
  return raw && /^\d+$/.test(raw) ? Number(raw) : Math.floor(Math.random() * 2 ** 31);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the real server over `dataDir` (kept: restarts reuse it) and waits for its URL (IPC). */
export async function startServer(dataDir: string, env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ServerProcess> {
  const child = fork(GATEWAY_MAIN, [], {
    execArgv: NODE_FLAGS,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'error',
      EVENT_STORE_URL: '',
      READ_MODEL_URL: '',
      RATE_LIMIT_MAX: '10000000',
      ...env,
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server was not ready within ${readyTimeoutMs} ms: ${stderr}`));
    }, readyTimeoutMs);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve((message as { url: string }).url);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    url,
    exited,
    stderr: () => stderr,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export type Tokens = (claims: TokenClaims) => Promise<string>;

export function tokenSigner(secret: string): Tokens {
  const key = new TextEncoder().encode(secret);
  const cache = new Map<string, Promise<string>>();
  return (claims) => {
    const id = JSON.stringify(claims);
    let token = cache.get(id);
    if (!token) cache.set(id, (token = signToken(key, claims, '24h')));
    return token;
  };
}

export interface Reply<T> {
  status: number;
  data: T | null;
  errors: Array<{ message: string; extensions?: { code?: string } }>;
}

/** One GraphQL POST; throws only when there is no HTTP answer (refused, reset, timeout). */
export async function gql<T = Record<string, unknown>>(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<Reply<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token !== null && { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { data?: T | null; errors?: Reply<T>['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors ?? [] };
}

export interface Health {
  status: string;
  checks: { readModels: boolean; eventStore: boolean; projections: Array<{ name: string; lag: string; ok: boolean }> };
}

export async function health(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Health };
}

/** Largest projection lag reported by /health. */
export const maxLag = (body: Health): number => Math.max(0, ...body.checks.projections.map((p) => Number(p.lag)));

/** Polls /health until every projection has lag 0 (and readiness is ok). */
export async function waitForProjections(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await health(url);
    if (status === 200 && body.checks.projections.length > 0 && maxLag(body) === 0) return;
    if (Date.now() > deadline) throw new Error(`projections did not catch up within ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

/** An event as stored by the embedded event store. */
export interface StoredEvent {
  position: bigint;
  streamId: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

/** Reads the whole log of `events.db` through its own read-only connection (WAL: the server may keep running). */
export function readLog(dataDir: string): Map<string, StoredEvent[]> {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const streams = new Map<string, StoredEvent[]>();
    const rows = db
      .prepare('SELECT position, stream_id, revision, type, data, metadata FROM events ORDER BY position')
      .raw()
      .iterate() as IterableIterator<[number, string, number, string, string, string]>;
    for (const [position, streamId, revision, type, data, metadata] of rows) {
      let stream = streams.get(streamId);
      if (!stream) streams.set(streamId, (stream = []));
      stream.push({ position: BigInt(position), streamId, revision, type, data: JSON.parse(data) as JsonObject, metadata: JSON.parse(metadata) as JsonObject });
    }
    for (const stream of streams.values()) stream.sort((a, b) => a.revision - b.revision);
    return streams;
  } finally {
    db.close();
  }
}

export interface LogVerification {
  streams: number;
  events: number;
  /** Streams whose hash chain does not verify, with the reason. */
  broken: Array<{ streamId: string } & ChainVerification>;
}

/** Recomputes the hash chain of every stream in the log. */
export function verifyLog(log: Map<string, StoredEvent[]>): LogVerification {
  const broken: LogVerification['broken'] = [];
  let events = 0;
  for (const [streamId, stream] of log) {
    const result = verifyChain(streamId, stream);
    events += stream.length;
    if (!result.ok) broken.push({ streamId, ...result });
  }
  return { streams: log.size, events, broken };
}

/**
 * The read models the server left in `dataDir`, and the same read models rebuilt from its
 * log into a fresh file (run with the server stopped, so the two see the same log).
 */
export async function readModelsAndCleanRebuild(dataDir: string): Promise<{ actual: ReadModelSnapshot; expected: ReadModelSnapshot }> {
  const store = new SqliteEventStore({ path: join(dataDir, 'events.db') });
  const survived = new SqliteReadModelStore({ path: join(dataDir, 'read-models.db') });
  const cleanPath = join(dataDir, `clean-rebuild-${process.pid}.db`);
  const clean = new SqliteReadModelStore({ path: cleanPath });
  try {
    await survived.init();
    await clean.init();
    await rebuildProjections(store, clean, ALL_PROJECTIONS);
    return { actual: await snapshotReadModels(survived), expected: await snapshotReadModels(clean) };
  } finally {
    await Promise.all([store.close(), survived.close(), clean.close()]);
    for (const suffix of ['', '-wal', '-shm']) rmSync(cleanPath + suffix, { force: true });
  }
}

/** Resident set size of a process in KiB (VmRSS in /proc/<pid>/status), or null when unavailable. */
export function rssKib(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** p-th percentile (0..100) of unsorted samples; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
