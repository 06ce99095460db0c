/**
 * Event store throughput: the embedded SQLite adapter against a plain better-sqlite3 loop
 * doing the same work (one event per transaction with an expected-revision check), plus
 * reading a 1,000,000-event log in global order.
 *
 * `npm run bench -- event-store`; `BENCH_SCALE=0.1` for a quick run. Overrides:
 * `BENCH_STREAMS` (10,000), `BENCH_MIN_APPENDS` (20,000), `BENCH_MIN_MS` (3,000),
 * `BENCH_FILL_EVENTS` (1,000,000), `BENCH_CONCURRENCY` (64).
 */
import Database from 'better-sqlite3';
import cliProgress from 'cli-progress';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_TABLE_DDL, SqliteEventStore, type ExpectedRevision, type JsonObject } from '@tracedesk/event-store';
import {
  envInt,
  GcMonitor,
  LatencyRecorder,
  now,
  round,
  seededRandom,
  type BenchOptions,
  type BenchResult,
  type Figure,
  type TargetCheck,
  youngGenerationKiB,
} from './bench-kit.js';

/** The adapter's own table, so the raw loop writes the same rows and indexes. */
const EVENTS_TABLE = EVENTS_TABLE_DDL;
const EVENT_TYPE = 'TicketOpened';
const PAYLOAD_POOL = 1024;
const FILL_EVENTS_PER_APPEND = 10;
const READ_BATCH = 1000;

export interface Workload {
  streams: number;
  minAppends: number;
  minMs: number;
  warmupAppends: number;
  concurrency: number;
  fillEvents: number;
}

export interface PhaseResult {
  appends: number;
  ms: number;
  perSecond: number;
  details: Record<string, number | string>;
}

export interface Payloads {
  data: JsonObject[];
  metadata: JsonObject[];
  meanDataBytes: number;
  meanMetadataBytes: number;
}

function fakeUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

const WORDS = (
  'customer cannot login after password reset the invoice shows a duplicate charge for march ' +
  'export to csv times out on large accounts mobile app crashes when attaching a photo please ' +
  'escalate this to billing our sso integration rejects the new certificate since yesterday ' +
  'refund requested for annual plan the dashboard loads slowly for users in europe'
).split(' ');

function sentence(random: () => number, minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(random() * (maxWords - minWords + 1));
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)] ?? 'ticket').join(' ');
}

/**
 * A pool of realistic "ticket opened" payloads (~450 bytes of JSON), generated once so the
 * timed loops measure the store rather than the generator.
 */
export function makePayloads(count: number, seed: number): Payloads {
  const random = seededRandom(seed);
  const priorities = ['low', 'normal', 'high', 'urgent'];
  const channels = ['email', 'web', 'phone', 'chat'];
  const base = Date.UTC(2026, 10, 1);
  const data: JsonObject[] = [];
  const metadata: JsonObject[] = [];
  let dataBytes = 0;
  let metadataBytes = 0;
  for (let i = 0; i < count; i += 1) {
    const openedAt = base + Math.floor(random() * 30 * 86_400_000);
    const event: JsonObject = {
      ticketId: fakeUuid(random),
      tenantId: fakeUuid(random),
      requesterId: fakeUuid(random),
      title: sentence(random, 3, 7),
      description: sentence(random, 8, 22),
      priority: priorities[Math.floor(random() * priorities.length)] ?? 'normal',
      channel: channels[Math.floor(random() * channels.length)] ?? 'web',
      tags: ['support', random() < 0.5 ? 'billing' : 'technical'],
      openedAt: new Date(openedAt).toISOString(),
      dueAt: new Date(openedAt + 86_400_000).toISOString(),
    };
    const meta: JsonObject = { correlationId: fakeUuid(random) };
    data.push(event);
    metadata.push(meta);
    dataBytes += Buffer.byteLength(JSON.stringify(event));
    metadataBytes += Buffer.byteLength(JSON.stringify(meta));
  }
  return { data, metadata, meanDataBytes: dataBytes / count, meanMetadataBytes: metadataBytes / count };
}

export function makeStreamIds(count: number): string[] {
  const random = seededRandom(7);
  return Array.from({ length: count }, () => `ticket-${fakeUuid(random)}`);
}

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('empty pool');
  return item;
}

/** The raw ceiling: what better-sqlite3 alone does for one event per transaction. */
export function rawCeiling(
  path: string,
  synchronous: 'FULL' | 'NORMAL',
  workload: Workload,
  streamIds: string[],
  payloads: Payloads,
): PhaseResult {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec(EVENTS_TABLE);
    const selectHead = db
      .prepare(`SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1`)
      .pluck();
    const insert = db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const appendOne = db.transaction((streamId: string, expected: number, data: string, metadata: string) => {
      const head = selectHead.get(streamId) as number | undefined;
      const current = head ?? -1;
      if (current !== expected) throw new Error(`conflict on ${streamId}: expected ${expected}, at ${current}`);
      insert.run(streamId, current + 1, randomUUID(), EVENT_TYPE, data, metadata, Date.now());
    });
    const revisions = new Int32Array(workload.streams).fill(-1);
    let i = 0;
    const step = (): void => {
      const stream = i % workload.streams;
      const expected = revisions[stream] ?? -1;
      // JSON.stringify is in the loop because any writer has to serialize the event.
      appendOne.immediate(
        pick(streamIds, stream),
        expected,
        JSON.stringify(pick(payloads.data, i)),
        JSON.stringify(pick(payloads.metadata, i)),
      );
      revisions[stream] = expected + 1;
      i += 1;
    };
    for (let w = 0; w < workload.warmupAppends; w += 1) step();
    const start = now();
    const first = i;
    let elapsed = 0;
    while (i - first < workload.minAppends || elapsed < workload.minMs) {
      step();
      elapsed = now() - start;
    }
    const appends = i - first;
    return {
      appends,
      ms: elapsed,
      perSecond: (appends / elapsed) * 1000,
      details: { appends, seconds: round(elapsed / 1000), meanMicrosPerAppend: round((elapsed * 1000) / appends) },
    };
  } finally {
    db.close();
  }
}

/**
 * The adapter with `concurrency` callers, each owning every concurrency-th stream so there
 * are no conflicts; each caller awaits its append before issuing the next one.
 */
export async function adapterAppends(
  path: string,
  concurrency: number,
  workload: Workload,
  streamIds: string[],
  payloads: Payloads,
): Promise<PhaseResult> {
  const store = new SqliteEventStore({ path });
  const revisions = new Int32Array(workload.streams).fill(-1);
  const latency = new LatencyRecorder();
  let issued = 0;
  let measuring = false;
  let payloadIndex = 0;

  const caller = async (index: number, keepGoing: () => boolean): Promise<void> => {
    let stream = index;
    while (keepGoing()) {
      issued += 1;
      const expected = revisions[stream] ?? -1;
      const expectedRevision: ExpectedRevision = expected < 0 ? 'no_stream' : expected;
      const p = payloadIndex++;
      const started = now();
      const result = await store.append(
        pick(streamIds, stream),
        [{ type: EVENT_TYPE, data: pick(payloads.data, p), metadata: pick(payloads.metadata, p) }],
        expectedRevision,
      );
      if (measuring) latency.record(now() - started);
      revisions[stream] = result.nextExpectedRevision;
      stream += concurrency;
      if (stream >= workload.streams) stream = index;
    }
  };

  try {
    const callers = Math.min(concurrency, workload.streams);
    const warmupUntil = workload.warmupAppends;
    await Promise.all(Array.from({ length: callers }, (_, c) => caller(c, () => issued < warmupUntil)));

    const before = store.commitStats();
    const firstIssued = issued;
    measuring = true;
    const start = now();
    await Promise.all(
      Array.from({ length: callers }, (_, c) =>
        caller(c, () => issued - firstIssued < workload.minAppends || now() - start < workload.minMs),
      ),
    );
    const elapsed = now() - start;
    const after = store.commitStats();
    const appends = after.appends - before.appends;
    const transactions = after.transactions - before.transactions;
    const l = latency.summary();
    return {
      appends,
      ms: elapsed,
      perSecond: (appends / elapsed) * 1000,
      details: {
        appends,
        seconds: round(elapsed / 1000),
        transactions,
        appendsPerTransaction: round(appends / transactions),
        meanMicrosPerTransaction: round((elapsed * 1000) / transactions),
        latencyP50Ms: round(l.p50),
        latencyP99Ms: round(l.p99),
        latencyMaxMs: round(l.max),
      },
    };
  } finally {
    await store.close();
  }
}

/** Fills a store (not timed as a figure) for the read benchmark; returns the events written. */
export async function fill(
  path: string,
  workload: Workload,
  streamIds: string[],
  payloads: Payloads,
  log: (m: string) => void,
): Promise<number> {
  const store = new SqliteEventStore({ path });
  const revisions = new Int32Array(workload.streams).fill(-1);
  const totalAppends = Math.ceil(workload.fillEvents / FILL_EVENTS_PER_APPEND);
  const bar = new cliProgress.SingleBar(
    { format: 'fill [{bar}] {percentage}% | {value}/{total} events | {duration}s', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  log(`filling ${workload.fillEvents.toLocaleString('en-US')} events`);
  bar.start(workload.fillEvents, 0);
  let issued = 0;
  let written = 0;
  let payloadIndex = 0;
  const start = now();
  // Many events per append and many concurrent appenders: group commit makes the fill fast.
  const caller = async (index: number): Promise<void> => {
    let stream = index;
    while (issued < totalAppends) {
      const count = Math.min(FILL_EVENTS_PER_APPEND, workload.fillEvents - issued * FILL_EVENTS_PER_APPEND);
      issued += 1;
      const events = Array.from({ length: count }, () => {
        const p = payloadIndex++;
        return { type: EVENT_TYPE, data: pick(payloads.data, p), metadata: pick(payloads.metadata, p) };
      });
      const expected = revisions[stream] ?? -1;
      const result = await store.append(pick(streamIds, stream), events, expected < 0 ? 'no_stream' : expected);
      revisions[stream] = result.nextExpectedRevision;
      written += count;
      if (written % 10_000 < count) bar.update(written);
      stream += workload.concurrency;
      if (stream >= workload.streams) stream = index;
    }
  };
  try {
    await Promise.all(
      Array.from({ length: Math.min(workload.concurrency, workload.streams) }, (_, c) => caller(c)),
    );
  } finally {
    bar.update(written);
    bar.stop();
    // Closing the last connection checkpoints the WAL into the main file, so its size is final.
    await store.close();
  }
  log(`filled ${written.toLocaleString('en-US')} events in ${round((now() - start) / 1000)} s`);
  return written;
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);
}

/** Reads the whole log with the plain driver, as a ceiling for `readAll`. */
export function rawRead(path: string, parse: boolean): { events: number; ms: number } {
  const db = new Database(path, { readonly: true });
  try {
    const select = db
      .prepare(
        `SELECT position, stream_id, revision, event_id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position LIMIT ?`,
      )
      .raw();
    const start = now();
    let after = 0;
    let events = 0;
    let parsedKeys = 0;
    for (;;) {
      const rows = select.all(after, READ_BATCH) as Array<[number, string, number, string, string, string, string, number]>;
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      if (parse) {
        for (const row of rows) {
          // Kept in a sum so the parse cannot be optimised away.
          parsedKeys += Object.keys(JSON.parse(row[5]) as object).length + Object.keys(JSON.parse(row[6]) as object).length;
        }
      }
      events += rows.length;
      after = last[0];
    }
    const ms = now() - start;
    if (parse && parsedKeys === 0 && events > 0) throw new Error('nothing parsed');
    return { events, ms };
  } finally {
    db.close();
  }
}

export async function adapterRead(path: string, expected: number): Promise<{ events: number; ms: number }> {
  const store = new SqliteEventStore({ path });
  try {
    const start = now();
    let after = 0n;
    let events = 0;
    for (;;) {
      const batch = await store.readAll({ after, maxCount: READ_BATCH });
      const last = batch[batch.length - 1];
      if (last === undefined) break;
      events += batch.length;
      after = last.position;
    }
    const ms = now() - start;
    if (events !== expected) throw new Error(`readAll returned ${events} events, expected ${expected}`);
    return { events, ms };
  } finally {
    await store.close();
  }
}

/** Removes a SQLite file with its WAL and shared-memory files. */
function removeDatabase(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median round of a phase; every round's rate is kept in the details. */
function medianFigure(key: string, label: string, unit: string, rounds: PhaseResult[]): Figure {
  const rates = rounds.map((r) => r.perSecond);
  const value = median(rates);
  // Details of the round closest to the median, so counts and latencies match the figure.
  const closest = rounds.reduce((best, r) => (Math.abs(r.perSecond - value) < Math.abs(best.perSecond - value) ? r : best));
  return {
    key,
    label,
    value: round(value),
    unit,
    details: { rounds: rates.map((r) => Math.round(r)).join(', '), ...closest.details },
  };
}

function target(key: string, label: string, value: number, goal: number, unit: string): TargetCheck {
  return { key, label, value: round(value), target: goal, unit, pass: value >= goal };
}

/** Runs one read pass, with the GC time and young-generation size that explain its rate. */
async function readPhase(read: () => Promise<{ events: number; ms: number }>): Promise<PhaseResult> {
  const youngGenKiB = youngGenerationKiB();
  const gc = new GcMonitor().start();
  const { events, ms } = await read();
  const { gcMs, collections } = await gc.stop();
  return {
    appends: events,
    ms,
    perSecond: (events / ms) * 1000,
    details: {
      events,
      seconds: round(ms / 1000),
      microsPerEvent: round((ms * 1000) / events),
      gcMs: round(gcMs),
      gcCollections: collections,
      youngGenerationKiBAtStart: youngGenKiB,
    },
  };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { scale, log } = options;
  const workload: Workload = {
    streams: envInt('BENCH_STREAMS', 10_000),
    minAppends: Math.max(100, Math.round(envInt('BENCH_MIN_APPENDS', 20_000) * scale)),
    minMs: envInt('BENCH_MIN_MS', 3_000) * scale,
    warmupAppends: Math.max(50, Math.round(1_000 * scale)),
    concurrency: envInt('BENCH_CONCURRENCY', 64),
    fillEvents: Math.max(1_000, Math.round(envInt('BENCH_FILL_EVENTS', 1_000_000) * scale)),
  };
  // Rounds are interleaved (raw, adapter, raw, adapter...) and the median is reported, so a
  // burst of disk or CPU contention on the shared machine skews one round, not a figure.
  const rounds = envInt('BENCH_ROUNDS', 3);
  const dir = options.tempDir('event-store');
  const payloads = makePayloads(PAYLOAD_POOL, 42);
  const streamIds = makeStreamIds(workload.streams);
  const c = workload.concurrency;

  const rawFull: PhaseResult[] = [];
  const rawNormal: PhaseResult[] = [];
  const adapter1: PhaseResult[] = [];
  const adapterN: PhaseResult[] = [];
  for (let r = 1; r <= rounds; r += 1) {
    const path = join(dir, `append-${r}.db`);
    log(`round ${r}/${rounds}: raw ceiling, synchronous=FULL`);
    rawFull.push(rawCeiling(path, 'FULL', workload, streamIds, payloads));
    removeDatabase(path);
    log(`round ${r}/${rounds}: raw ceiling, synchronous=NORMAL`);
    rawNormal.push(rawCeiling(path, 'NORMAL', workload, streamIds, payloads));
    removeDatabase(path);
    log(`round ${r}/${rounds}: adapter, 1 appender`);
    adapter1.push(await adapterAppends(path, 1, workload, streamIds, payloads));
    removeDatabase(path);
    log(`round ${r}/${rounds}: adapter, ${c} appenders`);
    adapterN.push(await adapterAppends(path, c, workload, streamIds, payloads));
    removeDatabase(path);
  }

  const fillPath = join(dir, 'read-all.db');
  const fillStart = now();
  const filled = await fill(fillPath, workload, streamIds, payloads, log);
  const fillMs = now() - fillStart;
  const bytes = fileBytes(fillPath);
  const reads: PhaseResult[] = [];
  const rawParsed: PhaseResult[] = [];
  const rawPlain: PhaseResult[] = [];
  for (let r = 1; r <= rounds; r += 1) {
    log(`round ${r}/${rounds}: adapter readAll`);
    reads.push(await readPhase(() => adapterRead(fillPath, filled)));
    log(`round ${r}/${rounds}: raw read with JSON.parse`);
    rawParsed.push(await readPhase(async () => rawRead(fillPath, true)));
    log(`round ${r}/${rounds}: raw read, no parse`);
    rawPlain.push(await readPhase(async () => rawRead(fillPath, false)));
  }
  removeDatabase(fillPath);

  const rawFullFigure = medianFigure('rawFull', 'raw better-sqlite3, 1 event/tx, FULL', 'appends/s', rawFull);
  const rawNormalFigure = medianFigure('rawNormal', 'raw better-sqlite3, 1 event/tx, NORMAL', 'appends/s', rawNormal);
  const adapter1Figure = medianFigure('adapter1', 'adapter, 1 appender, FULL', 'appends/s', adapter1);
  const adapterNFigure = medianFigure('adapterConcurrent', `adapter, ${c} appenders, FULL`, 'appends/s', adapterN);
  const readFigure = medianFigure('readAll', `adapter readAll (${READ_BATCH}/batch, parsed)`, 'events/s', reads);
  const figures: Figure[] = [
    rawFullFigure,
    rawNormalFigure,
    adapter1Figure,
    adapterNFigure,
    {
      key: 'adapterConcurrentAppendsPerTx',
      label: `adapter, ${c} appenders: appends per transaction`,
      value: round(median(adapterN.map((r) => Number(r.details['appendsPerTransaction'])))),
      unit: 'appends/tx',
    },
    readFigure,
    medianFigure('rawReadParsed', 'raw read in position order, JSON.parse', 'events/s', rawParsed),
    medianFigure('rawReadPlain', 'raw read in position order, no parse', 'events/s', rawPlain),
    {
      key: 'bytesPerEvent',
      label: 'bytes per event on disk',
      value: round(bytes / filled),
      unit: 'bytes',
      details: {
        fileBytes: bytes,
        events: filled,
        meanDataBytes: round(payloads.meanDataBytes),
        meanMetadataBytes: round(payloads.meanMetadataBytes),
      },
    },
    {
      key: 'fill',
      label: `fill: ${FILL_EVENTS_PER_APPEND} events/append, ${c} appenders (no target)`,
      value: round((filled / fillMs) * 1000),
      unit: 'events/s',
      details: { events: filled, seconds: round(fillMs / 1000) },
    },
  ];
  const targets: TargetCheck[] = [
    target('adapterConcurrentVsRawNormal', `adapter ${c} appenders / raw NORMAL`, adapterNFigure.value / rawNormalFigure.value, 1.0, 'ratio'),
    target('adapter1VsRawFull', 'adapter 1 appender / raw FULL', adapter1Figure.value / rawFullFigure.value, 0.8, 'ratio'),
    target('readAll', 'adapter readAll', readFigure.value, 200_000, 'events/s'),
  ];
  return {
    name: 'event-store',
    description: 'SqliteEventStore appends and readAll against plain better-sqlite3',
    parameters: {
      ...workload,
      rounds,
      eventsPerAppend: 1,
      fillEventsPerAppend: FILL_EVENTS_PER_APPEND,
      readBatch: READ_BATCH,
      payloadPool: PAYLOAD_POOL,
      meanDataBytes: round(payloads.meanDataBytes),
      meanMetadataBytes: round(payloads.meanMetadataBytes),
    },
    figures,
    targets,
    notes: [
      `Figures are the median of ${rounds} interleaved rounds (all rounds in the JSON); each append round uses a fresh file and a warm-up.`,
      'A shared 2-core machine: absolute rates move with other load; ratios are taken within one run.',
    ],
  };
}
