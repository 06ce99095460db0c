/**
 * Audit: `verify --all` throughput over a 1,000,000-event hash-chained log, and `ticketAsOf`
 * latency for a ticket with 1,000 events.
 *
 * `npm run bench -- audit`; `BENCH_SCALE=0.1` for a quick run. Overrides: `BENCH_AUDIT_EVENTS`
 * (1,000,000), `BENCH_AUDIT_STREAMS` (10,000), `BENCH_AUDIT_WORKERS` (2), `BENCH_AUDIT_ASOF_RUNS` (300).
 * The log is written straight into the store's table (the very rows the adapter writes, with
 * the application's hash chain), not through commands: this measures verification, not writing.
 */
import Database from 'better-sqlite3';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { chainEvents, GENESIS_HASH, Sealer, systemClock, ticketAsOf, verifyLog } from '@tracedesk/application';
import { EVENTS_TABLE_DDL, SqliteEventStore, type JsonObject } from '@tracedesk/event-store';
import { ticketStream } from '@tracedesk/domain';
import { envInt, GcMonitor, LatencyRecorder, now, round, seededRandom, type BenchOptions, type BenchResult } from './bench-kit.js';

const VERIFY_TARGET = 100_000;
const AS_OF_TARGET_MS = 20;
const AS_OF_EVENTS = 1000;

const BODIES = [
  'Thanks for the details, we are looking into the export timeout on large accounts.',
  'Could you send the HAR file of the failing upload? It helps us reproduce it.',
  'The invoice duplicate comes from a retried payment; billing will refund it today.',
  'Escalated to the video team: the black screen appears on Android 14 only.',
];

function opened(id: string, at: string): JsonObject {
  return {
    ticketId: id, organizationId: 'acme', contactId: 'acme-anna', title: 'Black screen when playing any video',
    description: 'What we do: open the page and press play. What we get: a black screen and error 0x42.',
    channel: 'WEB', type: 'PROBLEM', priority: 'HIGH', requestedPriority: 'HIGH', tier: 'pro', calendar: 'business-msk',
    policyVersion: '2026-11-22', openedAt: at,
  } as JsonObject;
}

/** Writes `total` chained events round-robin over `streams` tickets, plus one ticket of AS_OF_EVENTS events. */
export function fill(path: string, total: number, streams: number, log: (m: string) => void): { asOfTicket: string; events: number } {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(EVENTS_TABLE_DDL);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const random = seededRandom(11);
  const ids = Array.from({ length: streams + 1 }, (_, i) => `BENCH-${String(i).padStart(6, '0')}`);
  const revisions = new Int32Array(streams + 1);
  const lastHash: string[] = ids.map(() => GENESIS_HASH);
  const base = Date.UTC(2026, 10, 2, 6);
  const asOfIndex = streams;
  let written = 0;
  const writeOne = (s: number, i: number): void => {
    const id = ids[s]!;
    const stream = ticketStream(id);
    const revision = revisions[s]!;
    const at = new Date(base + i * 1000).toISOString();
    const type = revision === 0 ? 'TicketOpened' : random() < 0.5 ? 'AgentReplied' : 'InternalNoteAdded';
    const data: JsonObject = revision === 0 ? opened(id, at) : { authorId: 'agent-alice', body: BODIES[Math.floor(random() * BODIES.length)]!, at };
    const metadata: JsonObject = {
      actorId: 'agent-alice', actorRole: 'agent', correlationId: randomUUID(), causationId: null,
      command: type === 'TicketOpened' ? 'OpenTicket' : 'ReplyToTicket', occurredAt: at, policyVersion: '2026-11-22',
    };
    // Chained exactly as the application appends (canonical key order, prevHash, hash).
    const [chained] = chainEvents(stream, revision, lastHash[s]!, [{ type, data, metadata }]);
    insert.run(stream, revision, randomUUID(), type, JSON.stringify(chained!.data), JSON.stringify(chained!.metadata), Date.now());
    lastHash[s] = chained!.metadata['hash'] as string;
    revisions[s] = revision + 1;
    written++;
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      // The as-of ticket's events are spread through the log like a busy ticket's.
      if (i % Math.max(1, Math.floor(total / AS_OF_EVENTS)) === 0 && revisions[asOfIndex]! < AS_OF_EVENTS) writeOne(asOfIndex, i);
      else writeOne(i % streams, i);
    }
  });
  const started = now();
  for (let i = 0; i < total; i += 50_000) {
    batch(i, Math.min(total, i + 50_000));
    log(`filled ${Math.min(total, i + 50_000)} / ${total} (${Math.round((now() - started) / 1000)} s)`);
  }
  db.transaction(() => {
    while (revisions[asOfIndex]! < AS_OF_EVENTS) writeOne(asOfIndex, total + revisions[asOfIndex]!);
  })();
  db.close();
  return { asOfTicket: ids[asOfIndex]!, events: written };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const total = envInt('BENCH_AUDIT_EVENTS', Math.round(1_000_000 * options.scale));
  const streams = envInt('BENCH_AUDIT_STREAMS', Math.max(10, Math.round(10_000 * options.scale)));
  const workers = envInt('BENCH_AUDIT_WORKERS', 2);
  const asOfRuns = envInt('BENCH_AUDIT_ASOF_RUNS', 300);
  const dir = options.tempDir('audit');
  const path = join(dir, 'events.db');
  options.log(`writing ${total} hash-chained events over ${streams} tickets`);
  const { asOfTicket, events } = fill(path, total, streams, options.log);

  const store = new SqliteEventStore({ path });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    const sealStart = now();
    const seals = await new Sealer({ store, clock: systemClock, privateKey: () => privateKey }).sealNow();
    const sealMs = now() - sealStart;
    options.log(`sealed ${seals.length} seal events in ${round(sealMs)} ms; verifying with ${workers} threads`);

    const gc = new GcMonitor().start();
    const threadedStart = now();
    const threaded = await verifyLog({ store, publicKey, storeConfig: { dataDir: dir }, workers, minEventsForThreads: 0n });
    const threadedMs = now() - threadedStart;
    const threadedGc = await gc.stop();
    if (!threaded.ok) throw new Error(`verification failed on untouched data: ${JSON.stringify(threaded.failures.slice(0, 3))} ${threaded.sealProblems.join('; ')}`);
    options.log(`threads: ${threaded.checkedEvents} events in ${round(threadedMs)} ms; now one thread`);

    const singleStart = now();
    const single = await verifyLog({ store, publicKey });
    const singleMs = now() - singleStart;

    const latency = new LatencyRecorder();
    const asOfStream = ticketStream(asOfTicket);
    for (let i = 0; i < asOfRuns + 20; i++) {
      const start = now();
      const history = await store.readStream(asOfStream);
      const { state, revision } = ticketAsOf(history, { revision: AS_OF_EVENTS - 1 - (i % 10) });
      const ms = now() - start;
      if (!state || revision < 0) throw new Error('as-of folded nothing');
      if (i >= 20) latency.record(ms); // the first runs warm up the JIT
    }
    const asOf = latency.summary();
    const threadedRate = (threaded.checkedEvents / threadedMs) * 1000;
    const singleRate = (single.checkedEvents / singleMs) * 1000;
    return {
      name: 'audit',
      description: `verify ${events} hash-chained events (${streams + 1} tickets) and as-of of a ${AS_OF_EVENTS}-event ticket`,
      parameters: { events, streams: streams + 1, workers, asOfRuns, asOfEvents: AS_OF_EVENTS },
      figures: [
        { key: 'verify.threads', label: `verify --all, ${workers} threads`, value: round(threadedRate), unit: 'events/s', details: { ms: round(threadedMs), events: threaded.checkedEvents, gcMs: round(threadedGc.gcMs), seals: threaded.seals, sealedStreams: threaded.sealedStreams } },
        { key: 'verify.single', label: 'verify --all, one thread', value: round(singleRate), unit: 'events/s', details: { ms: round(singleMs) } },
        { key: 'seal.first', label: `first seal of the log (${seals.length} seal events)`, value: round(sealMs), unit: 'ms' },
        { key: 'asOf.p50', label: `as-of, ${AS_OF_EVENTS}-event ticket, p50`, value: round(asOf.p50), unit: 'ms' },
        { key: 'asOf.p99', label: `as-of, ${AS_OF_EVENTS}-event ticket, p99`, value: round(asOf.p99), unit: 'ms', details: { max: round(asOf.max), mean: round(asOf.mean) } },
      ],
      targets: [
        { key: 'verify.threads', label: 'verify events/s', value: round(threadedRate), target: VERIFY_TARGET, unit: 'events/s', pass: threadedRate >= VERIFY_TARGET },
        { key: 'asOf.p99', label: 'as-of p99 (ms)', value: round(asOf.p99), target: AS_OF_TARGET_MS, unit: 'ms', pass: asOf.p99 <= AS_OF_TARGET_MS, atMost: true },
      ],
      notes: [
        'verify = every event in log order (the embedded store’s stored text, proven by SHA-256 over its canonical form; RFC 8785 re-canonicalization when that does not match), links, seals (signature, Merkle root, place in the seals stream) and sealed heads.',
        'as-of = readStream of the ticket + fold with evolveTicket up to a revision (what ticketAsOf and `audit as-of` do).',
      ],
    };
  } finally {
    await store.close();
  }
}
