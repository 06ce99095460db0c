import type { KeyObject } from 'node:crypto';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StreamNotFoundError, type EventStore, type EventStoreConfig, type Position } from '@tracedesk/event-store';
import { GENESIS_HASH, storedHash } from './hash-chain.js';
import { verifySegment, type SealedHeads, type SegmentResult } from './log-segment.js';
import { sealData, sealProblem, SEALS_STREAM, type SealData } from './seals.js';

const MIN_EVENTS_FOR_THREADS = 50_000n;

export interface StreamFailure {
  streamId: string;
  firstBadRevision: number;
  problem: string;
}

export interface LogVerificationReport {
  ok: boolean;
  checkedEvents: number;
  streams: number;
  /** Streams whose head is the one their latest valid seal recorded. */
  sealedStreams: number;
  seals: number;
  /** Every broken stream, with its first bad revision (ordered by stream id). */
  failures: StreamFailure[];
  /** Problems of the seals themselves (bad signature, broken seal chain, no key). */
  sealProblems: string[];
  headPosition: string;
}

export interface VerifyLogOptions {
  store: EventStore;
  publicKey: KeyObject | null;
  /**
   * With it, position ranges are verified in worker threads, each with its own store
   * connection; without it, in this thread.
   */
  storeConfig?: EventStoreConfig;
  /** Position ranges verified in parallel (threads with `storeConfig`, else in turn here). */
  workers?: number;
  /** Smallest log worth starting threads for. */
  minEventsForThreads?: bigint;
  onProgress?: (checked: number, total: number) => void;
}

/**
 * Does `seal` continue the seals stream after `previous`? The next part of the same round, or
 * a new round from where the previous one ended — or from where it began, when the previous
 * round was cut short (its last part missing) and sealed again.
 */
function follows(previous: SealData | null, seal: SealData): boolean {
  if (!previous) return seal.part === 1 && seal.fromPosition === '0';
  if (seal.part > 1) {
    return previous.part === seal.part - 1 && previous.parts === seal.parts && previous.fromPosition === seal.fromPosition && previous.toPosition === seal.toPosition;
  }
  return seal.fromPosition === (previous.part < previous.parts ? previous.fromPosition : previous.toPosition);
}

/**
 * Checks the seals stream: each seal valid under the public key, linked to the one before
 * (`previousSeal`, `fromPosition`). Returns the heads valid seals vouch for (the latest per stream).
 */
async function checkSeals(store: EventStore, publicKey: KeyObject | null): Promise<{ sealed: Map<string, { revision: number; hash: string }>; seals: number; problems: string[] }> {
  const sealed = new Map<string, { revision: number; hash: string }>();
  const problems: string[] = [];
  let seals = 0;
  let previousHash = GENESIS_HASH;
  let previousSeal: SealData | null = null;
  let from = 0;
  for (;;) {
    let page;
    try {
      page = await store.readStream(SEALS_STREAM, { fromRevision: from, maxCount: 500 });
    } catch (error) {
      if (error instanceof StreamNotFoundError) break;
      throw error;
    }
    for (const event of page) {
      seals++;
      const seal = sealData(event);
      const problem = publicKey ? sealProblem(event, publicKey) : 'no seal public key is configured to check seals with';
      if (problem) problems.push(problem);
      else if (seal!.previousSeal !== previousHash || !follows(previousSeal, seal!)) {
        problems.push(`seal ${event.revision} does not follow seal ${event.revision - 1} (a seal was removed or reordered)`);
      }
      if (!problem && seal) for (const head of seal.heads) sealed.set(head.stream, { revision: head.revision, hash: head.hash });
      previousHash = storedHash(event);
      previousSeal = seal ?? previousSeal;
    }
    if (page.length < 500) break;
    from = page[page.length - 1]!.revision + 1;
  }
  if (!publicKey && seals === 0) problems.length = 0;
  return { sealed, seals, problems };
}

function workerFile(): URL {
  // `.ts` when run from source (swc), `.js` when built.
  return new URL(`./log-segment.worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

function segmentInWorker(storeConfig: EventStoreConfig, after: Position, to: Position, sealed: SealedHeads, onEvents: (n: number) => void): Promise<SegmentResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile(), { workerData: { storeConfig, after, to, sealed } });
    let result: SegmentResult | undefined;
    worker.on('message', (message: { progress?: number; result?: SegmentResult }) => {
      if (message.progress !== undefined) onEvents(message.progress);
      if (message.result) result = message.result;
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (result ? resolve(result) : reject(new Error(`log verification worker exited with code ${code}`))));
  });
}

/**
 * Verifies the whole log: every stream's chain (each event hashed once, from `readAll` pages,
 * ranges in parallel), the seals, and every sealed head against the stored hash.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<LogVerificationReport> {
  const { store, publicKey } = options;
  const head = await store.headPosition();
  const { sealed, seals, problems } = await checkSeals(store, publicKey);
  const workers = Math.max(1, options.workers ?? 1);
  // A thread costs a second or so to start (module loading): worth it only for large logs.
  const threads = options.storeConfig !== undefined && head >= (options.minEventsForThreads ?? MIN_EVENTS_FOR_THREADS);
  let checked = 0;
  const onEvents = (n: number): void => {
    checked += n;
    options.onProgress?.(checked, Number(head));
  };
  // Equal position ranges: SQLite positions are dense; EventStoreDB's only need to be ordered.
  const bounds: Position[] = [0n];
  for (let i = 1; i < workers; i++) bounds.push((head * BigInt(i)) / BigInt(workers));
  bounds.push(head);
  const segments = await Promise.all(
    bounds.slice(1).map((to, i) =>
      threads ? segmentInWorker(options.storeConfig!, bounds[i]!, to, sealed, onEvents) : verifySegment(store, bounds[i]!, to, sealed, onEvents),
    ),
  );
  // Stitch: each range's first event of a stream must continue where the previous range left it.
  const state = new Map<string, { next: number; lastHash: string; bad: StreamFailure | null }>();
  for (const segment of segments) {
    for (const [streamId, s] of segment.streams) {
      let entry = state.get(streamId);
      if (!entry) state.set(streamId, (entry = { next: 0, lastHash: GENESIS_HASH, bad: null }));
      if (entry.bad) continue;
      const fail = (revision: number, problem: string): void => void (entry!.bad = { streamId, firstBadRevision: revision, problem });
      if (s.firstRevision !== entry.next) fail(entry.next, `expected revision ${entry.next} here, found ${s.firstRevision} (an event is missing or moved)`);
      else if (s.firstPrevHash !== entry.lastHash) fail(s.firstRevision, 'prevHash does not match the previous event (an event before it was changed, removed or reordered)');
      else if (s.bad) fail(s.bad.revision, s.bad.problem);
      else {
        entry.next = s.lastRevision + 1;
        entry.lastHash = s.lastHash;
      }
    }
  }
  let sealedStreams = 0;
  for (const [streamId, seal] of sealed) {
    const entry = state.get(streamId);
    if (entry?.bad) continue;
    if (!entry || entry.next <= seal.revision) {
      const next = entry?.next ?? 0;
      state.set(streamId, { next, lastHash: '', bad: { streamId, firstBadRevision: next, problem: `a seal recorded revision ${seal.revision}, the stream ends at ${next - 1} (events were removed)` } });
    } else if (entry.next - 1 === seal.revision) sealedStreams++;
  }
  const failures = [...state.values()].flatMap((e) => (e.bad ? [e.bad] : [])).sort((a, b) => (a.streamId < b.streamId ? -1 : 1));
  return {
    ok: failures.length === 0 && problems.length === 0,
    checkedEvents: segments.reduce((n, s) => n + s.events, 0),
    streams: state.size,
    sealedStreams,
    seals,
    failures,
    sealProblems: problems,
    headPosition: head.toString(),
  };
}
