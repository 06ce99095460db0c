/**
 * The read side on the embedded SQLite stores: projection catch-up and full rebuild over a
 * 1,000,000-event log of realistic tickets, queue query latency with 100,000 open tickets, and
 * the SLA deadline watcher recording 10,000 breaches that fall due at the same moment.
 *
 * 1. Catch-up: ~95,000 tickets simulated by the real deciders (`simulateTickets`, ~10.6 events
 *    per ticket) are written to an events.db in simulated-time order, the way live traffic
 *    interleaves them, one append per decision with the application's metadata and hash chain
 *    (not timed). A `ProjectionRunner` with all three projections then starts on an empty
 *    read-models.db and is timed until every projection has reached the head. events/s =
 *    events ÷ seconds (the runner reads each page of the log once for all three projections;
 *    each still commits its own batches and checkpoint). It runs in a child process with Node's default
 *    heap; if that dies (a runner that kept every event it read alive ran out of heap at ~830,000
 *    events), the failure is the finding and the catch-up runs again with a larger heap to
 *    measure the rate and where the time goes. A 50 ms timer shows whether the event loop turned.
 * 2. Rebuild over the same log and read-models file (blue/green: a new generation, then
 *    activation drops the old): `rebuildProjection` of each projection in turn (a read of the
 *    log each), then `rebuildProjections` of all three from one read, as `cli rebuild all` does.
 * 3. Queue latency: ≥100,000 open queue rows built from simulated tickets that mostly stay
 *    open (`maxSteps: 1`), turned into rows by the queue projection's own `toQueueRow` and
 *    written with `runBatch`; then typical queue pages, interleaved, each shape timed apart,
 *    with the CPU time per query and a fixed CPU task as the machine's noise floor.
 * 4. Watcher: a runtime (`startRuntime`, `ManualClock`, watcher timer off) with a 24/7 policy
 *    and a 30-minute first-response target; 10,000 tickets opened through the CommandBus at
 *    one instant (not timed); the clock moves 31 minutes; `watcher.tick()` is timed until it
 *    returns, i.e. until every `SlaClockBreached` is appended; then checked in the log and in
 *    the breaches read model. Twice: with the projections and the saga in a worker process
 *    (`apps/worker`, `WORKER_PARTS=projections,saga`, the split deployment), then all in one
 *    process (the runner in the watcher's thread, as `npm start` runs it).
 *
 * `npm run bench -- projections` (about 5 minutes, ~1.5 GB in os.tmpdir()); `BENCH_SCALE=0.1`
 * for a quick run. Overrides: `BENCH_TICKETS` (95,000), `BENCH_BATCH_SIZE` (runner; default: the
 * worker's `PROJECTION_BATCH_SIZE` default),
 * `BENCH_REBUILD_BATCH_SIZE` (2,000), `BENCH_OPEN_TICKETS` (100,000), `BENCH_QUERIES` (2,800),
 * `BENCH_DUE_TICKETS` (10,000), `BENCH_WATCHER_ROUNDS` (3, median reported), `BENCH_FILL_WINDOW` (appends in flight while filling, 4,000),
 * `BENCH_CATCHUP_RETRY_HEAP_MB` (heap of the second catch-up, 12,288).
 */
import Database from 'better-sqlite3';
import { CommandBus } from '@nestjs/cqrs';
import { fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { pino } from 'pino';
import {
  AddContactCommand,
  chainEvents,
  GENESIS_HASH,
  loadConfig,
  ManualClock,
  OpenTicketCommand,
  RegisterOrganizationCommand,
  startRuntime,
  storedHash,
  verifyChain,
  type TicketResult,
} from '@tracedesk/application';
import { simulateOrganizations, simulateTickets, ticketStream, type SimulatedTicket, type TicketState } from '@tracedesk/domain';
import { SqliteEventStore, type EventToAppend, type JsonObject, type ReadAllOptions, type RecordedEvent } from '@tracedesk/event-store';
import {
  ALL_PROJECTIONS,
  ProjectionRunner,
  rebuildProjection,
  rebuildProjections,
  toQueueRow,
  writeOrganizations,
  type Projection,
} from '@tracedesk/projections';
import {
  SqliteReadModelStore,
  type ProjectionName,
  type ProjectionTx,
  type QueueFilter,
  type QueueRow,
} from '@tracedesk/read-models';
import { defaultSlaPolicy } from '@tracedesk/sla';
import {
  envInt,
  GcMonitor,
  LatencyRecorder,
  MachineLoad,
  now,
  round,
  seededRandom,
  type BenchOptions,
  type BenchResult,
  type Figure,
  type TargetCheck,
} from './bench-kit.js';

const SIM_START = new Date('2026-11-02T06:00:00.000Z');
const SIM_TIERS = ['standard', 'pro', 'business', 'enterprise'] as const;
const ORGS_PER_TIER = 5;
/** Tickets simulated (and written) at a time, to bound memory. */
const CHUNK_TICKETS = 5_000;
const GROUPS = ['frontline', 'video', 'payments', 'platform'];
const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const OPEN_STATUSES = new Set(['NEW', 'OPEN', 'AWAITING_CUSTOMER']);
const PAGE = 50;
const MINUTE = 60_000;
/** Monday 10:00 UTC; the watcher policy's calendar is 24/7 anyway. */
const WATCH_START = '2026-11-23T10:00:00.000Z';

export interface Workload {
  tickets: number;
  runnerBatchSize: number;
  rebuildBatchSize: number;
  openTickets: number;
  queries: number;
  dueTickets: number;
  /** Watcher bursts per deployment (alternating); the median is reported. */
  watcherRounds: number;
  fillWindow: number;
}

// ---------------------------------------------------------------------------------------------
// Timing wrappers: where the time of a catch-up or rebuild goes
// ---------------------------------------------------------------------------------------------

export interface ProjectionTimes {
  /** Inside `applyBatch`: row reads (+ JSON.parse), folding, row writes (+ JSON.stringify, index updates). */
  applyMs: number;
  /** `runBatch` wall time: waiting for the write lock + BEGIN + apply + checkpoint + COMMIT. */
  runBatchMs: number;
  batches: number;
  events: number;
}

const emptyTimes = (): ProjectionTimes => ({ applyMs: 0, runBatchMs: 0, batches: 0, events: 0 });

function timedProjection(projection: Projection, times: ProjectionTimes): Projection {
  return {
    name: projection.name,
    async applyBatch(events: readonly RecordedEvent[], tx: ProjectionTx): Promise<void> {
      const started = now();
      try {
        await projection.applyBatch(events, tx);
      } finally {
        times.applyMs += now() - started;
        times.batches += 1;
        times.events += events.length;
      }
    },
  };
}

/** The real read-model store, with `runBatch` and generation activation timed. */
class TimedReadModels extends SqliteReadModelStore {
  readonly times = new Map<ProjectionName, ProjectionTimes>();
  activateMs = 0;
  /** Called after every batch: progress that does not depend on timers firing. */
  onBatch: (() => void) | null = null;

  timesOf(name: ProjectionName): ProjectionTimes {
    let times = this.times.get(name);
    if (!times) this.times.set(name, (times = emptyTimes()));
    return times;
  }

  override async runBatch(projection: ProjectionName, generation: number, work: (tx: ProjectionTx) => Promise<bigint>): Promise<void> {
    const started = now();
    try {
      await super.runBatch(projection, generation, work);
    } finally {
      this.timesOf(projection).runBatchMs += now() - started;
      this.onBatch?.();
    }
  }

  override async activateGeneration(projection: ProjectionName, generation: number): Promise<void> {
    const started = now();
    try {
      await super.activateGeneration(projection, generation);
    } finally {
      this.activateMs += now() - started;
    }
  }
}

/** The real event store, with `readAll` (what a rebuild reads through) timed. */
class TimedEventStore extends SqliteEventStore {
  readAllMs = 0;

  override async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const started = now();
    try {
      return await super.readAll(options);
    } finally {
      this.readAllMs += now() - started;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Filling the log
// ---------------------------------------------------------------------------------------------

export interface FillStats {
  tickets: number;
  events: number;
  appends: number;
  /** What the read models must hold afterwards. */
  queueRows: number;
  breachRows: number;
  ms: number;
}

interface PlannedAppend {
  at: number;
  streamId: string;
  events: EventToAppend[];
  expected: number | 'no_stream';
}

/** The command that decides each kind of first event of a decision (for the metadata). */
const COMMAND_OF: Record<string, string> = {
  TicketOpened: 'OpenTicket',
  TicketAssigned: 'AssignTicket',
  AgentReplied: 'ReplyToTicket',
  CustomerReplied: 'ReplyToTicket',
  TicketPriorityChanged: 'ChangePriority',
  TicketAwaitingCustomer: 'AwaitCustomer',
  InternalNoteAdded: 'AddInternalNote',
  TicketEscalated: 'EscalateTicket',
  TicketResolved: 'ResolveTicket',
  TicketReopened: 'ReopenTicket',
  TicketClosed: 'CloseTicket',
  SlaClockBreached: 'RecordSlaBreach',
  SlaClockAtRisk: 'RecordSlaAtRisk',
};

/**
 * One append per decision (events of the same actor at the same time), as the command handlers
 * write them: the same metadata as the StreamProcessor's (actor, correlation, command, time,
 * policy version) with the hash chain (`prevHash`, `hash`), and the expected revision each
 * append would have.
 */
function planAppends(ticket: SimulatedTicket, policyVersion: string, into: PlannedAppend[]): void {
  const streamId = ticketStream(ticket.ticketId);
  let revision = -1;
  let lastHash = GENESIS_HASH;
  let i = 0;
  while (i < ticket.events.length) {
    const first = ticket.events[i]!;
    const metadata: JsonObject = {
      actorId: first.actor.id,
      actorRole: first.actor.role,
      correlationId: randomUUID(),
      causationId: null,
      command: COMMAND_OF[first.event.type] ?? first.event.type,
      occurredAt: first.at.toISOString(),
      policyVersion,
    };
    const events: Array<{ type: string; data: JsonObject; metadata: JsonObject }> = [];
    while (i < ticket.events.length && ticket.events[i]!.at === first.at && ticket.events[i]!.actor === first.actor) {
      events.push({ type: ticket.events[i]!.event.type, data: ticket.events[i]!.event.data as unknown as JsonObject, metadata });
      i += 1;
    }
    const chained = chainEvents(streamId, revision + 1, lastHash, events);
    lastHash = storedHash(chained[chained.length - 1]);
    into.push({ at: first.at.getTime(), streamId, events: chained, expected: revision < 0 ? 'no_stream' : revision });
    revision += events.length;
  }
}

/**
 * Simulates `tickets` tickets in chunks and appends each chunk's decisions in simulated-time
 * order, so the log interleaves tickets as live traffic does (a batch touches many tickets).
 * Appends are issued `window` at a time without waiting for each other (expected revisions are
 * known in advance), so group commit writes up to 1,000 appends per transaction, in issue order.
 */
export async function fillLog(path: string, tickets: number, window: number, log: (m: string) => void): Promise<FillStats> {
  const started = now();
  const policy = defaultSlaPolicy();
  const organizations = simulateOrganizations(policy, SIM_TIERS, ORGS_PER_TIER, SIM_START);
  // Not measured: NORMAL skips the fsync per commit.
  const store = new SqliteEventStore({ path, synchronous: 'NORMAL' });
  const stats: FillStats = { tickets: 0, events: 0, appends: 0, queueRows: 0, breachRows: 0, ms: 0 };
  try {
    await writeOrganizations(store, organizations);
    let start = SIM_START;
    let simulateMs = 0;
    for (let chunk = 0; stats.tickets < tickets; chunk += 1) {
      const count = Math.min(CHUNK_TICKETS, tickets - stats.tickets);
      const simulated = now();
      const batch = simulateTickets({ policy, organizations, tickets: count, start, seed: 1_000 + chunk, idPrefix: `C${String(chunk).padStart(3, '0')}` });
      simulateMs += now() - simulated;
      const planned: PlannedAppend[] = [];
      for (const ticket of batch) {
        planAppends(ticket, policy.version, planned);
        stats.events += ticket.events.length;
        if (ticket.state && ticket.state.status !== 'CLOSED') stats.queueRows += 1;
        stats.breachRows += ticket.state?.breachCount ?? 0;
      }
      // Stable sort: decisions at the same instant keep their per-ticket order.
      planned.sort((a, b) => a.at - b.at);
      for (let i = 0; i < planned.length; i += window) {
        await Promise.all(planned.slice(i, i + window).map((a) => store.append(a.streamId, a.events, a.expected)));
      }
      stats.appends += planned.length;
      stats.tickets += count;
      // The written histories carry a valid hash chain, as the application's do.
      for (const ticket of [batch[0]!, batch[batch.length - 1]!]) {
        const streamId = ticketStream(ticket.ticketId);
        const check = verifyChain(streamId, await store.readStream(streamId));
        if (!check.ok) throw new Error(`fill: ${streamId} has a broken hash chain: ${check.problem}`);
      }
      const last = batch[batch.length - 1]!.events[0]!.at;
      start = new Date(last.getTime() + 5 * MINUTE);
      log(`fill: ${stats.tickets.toLocaleString('en-US')} tickets, ${stats.events.toLocaleString('en-US')} events (${round((now() - started) / 1000)} s)`);
    }
    log(`fill: simulation took ${round(simulateMs / 1000)} s of ${round((now() - started) / 1000)} s`);
  } finally {
    await store.close();
  }
  stats.ms = now() - started;
  return stats;
}

/** Row counts of the active generations, read straight from the file. */
function rowCounts(path: string): Record<ProjectionName, number> {
  const db = new Database(path, { readonly: true });
  try {
    const active = (projection: ProjectionName): number =>
      db.prepare('SELECT active_generation FROM projection_generations WHERE projection = ?').pluck().get(projection) as number;
    const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    return {
      queue: count(`queue_g${active('queue')}`),
      'sla-breaches': count(`sla_breaches_g${active('sla-breaches')}`),
      'ticket-facts': count(`ticket_facts_g${active('ticket-facts')}`),
    };
  } finally {
    db.close();
  }
}

function checkCounts(path: string, fill: FillStats, when: string): Record<ProjectionName, number> {
  const counts = rowCounts(path);
  const expected: Record<ProjectionName, number> = { queue: fill.queueRows, 'sla-breaches': fill.breachRows, 'ticket-facts': fill.tickets };
  for (const name of Object.keys(expected) as ProjectionName[]) {
    if (counts[name] !== expected[name]) throw new Error(`${when}: ${name} has ${counts[name]} rows, expected ${expected[name]}`);
  }
  return counts;
}

function fileBytes(path: string): number {
  return [path, `${path}-wal`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);
}

// ---------------------------------------------------------------------------------------------
// 1. Catch-up with the runner
// ---------------------------------------------------------------------------------------------

export interface CatchUpResult {
  events: number;
  ms: number;
  finishedMs: Record<string, number>;
  times: Record<string, ProjectionTimes>;
  gcMs: number;
  readModelBytes: number;
  /** Longest the event loop went without a turn during the catch-up. */
  maxLoopStallMs: number;
  /** Calls of a 50 ms timer during the catch-up (wall time ÷ 50 ms if the loop kept turning). */
  timerTicks: number;
  peakHeapMiB: number;
}

export interface CatchUpProgress {
  /** Lowest checkpoint of the projections. */
  reached: number;
  head: number;
  seconds: number;
  heapMiB: number;
}

export async function catchUp(
  eventsPath: string,
  readModelsPath: string,
  workload: Workload,
  fill: FillStats,
  log: (m: string) => void,
  onProgress: (p: CatchUpProgress) => void = () => undefined,
): Promise<CatchUpResult> {
  const store = new SqliteEventStore({ path: eventsPath });
  const readModels = new TimedReadModels({ path: readModelsPath });
  try {
    await readModels.init();
    const head = await store.headPosition();
    const projections = ALL_PROJECTIONS.map((p) => timedProjection(p, readModels.timesOf(p.name)));
    const runner = new ProjectionRunner(store, readModels, projections, { batchSize: workload.runnerBatchSize });
    const finishedMs: Record<string, number> = {};
    log(`catch-up: ${ALL_PROJECTIONS.length} projections over ${Number(head).toLocaleString('en-US')} events, batch ${workload.runnerBatchSize}`);
    const gc = new GcMonitor().start();
    const started = now();
    // How long the event loop went without a turn (timers, I/O) while the runner caught up: a
    // 50 ms timer notes the gaps between its calls.
    let lastTick = started;
    let maxLoopStallMs = 0;
    let ticks = 0;
    const ticker = setInterval(() => {
      const at = now();
      maxLoopStallMs = Math.max(maxLoopStallMs, at - lastTick);
      lastTick = at;
      ticks += 1;
    }, 50);
    // Progress and heap are sampled from the batches, not from a timer: a timer may not fire.
    let batches = 0;
    let peakHeapMiB = 0;
    let lastLog = started;
    readModels.onBatch = () => {
      batches += 1;
      if (batches % 50 !== 0) return;
      const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
      peakHeapMiB = Math.max(peakHeapMiB, heapMiB);
      onProgress({ reached: Number(runner.reached()), head: Number(head), seconds: (now() - started) / 1000, heapMiB });
      if (now() - lastLog < 10_000) return;
      lastLog = now();
      const reached = runner.reached();
      log(`catch-up: ${round((Number(reached) / Number(head)) * 100)}% (slowest projection) after ${round((lastLog - started) / 1000)} s, heap ${Math.round(peakHeapMiB)} MiB`);
    };
    await runner.start();
    const done = await Promise.all(
      ALL_PROJECTIONS.map(async (p) => {
        const ok = await runner.waitFor(head, 3_600_000, [p.name]);
        finishedMs[p.name] = now() - started;
        return ok;
      }),
    );
    if (!done.every(Boolean)) throw new Error('catch-up did not reach the head');
    const ms = now() - started;
    maxLoopStallMs = Math.max(maxLoopStallMs, now() - lastTick);
    clearInterval(ticker);
    readModels.onBatch = null;
    const { gcMs } = await gc.stop();
    await runner.stop();
    checkCounts(readModelsPath, fill, 'after catch-up');
    const times: Record<string, ProjectionTimes> = {};
    for (const p of ALL_PROJECTIONS) times[p.name] = { ...readModels.timesOf(p.name) };
    return {
      events: Number(head),
      ms,
      finishedMs,
      times,
      gcMs,
      readModelBytes: fileBytes(readModelsPath),
      maxLoopStallMs,
      timerTicks: ticks,
      peakHeapMiB,
    };
  } finally {
    await store.close();
    await readModels.close();
  }
}

/**
 * The catch-up runs in a child process: a runner that keeps what it read alive can exhaust the
 * heap on a large log (an earlier one did, see docs/benchmarks.md), and that must end the phase
 * with a finding, not the whole benchmark. The child writes its progress and result to files
 * (synchronously: its event loop may not turn for the whole catch-up).
 */
const CATCH_UP_CHILD = '--projections-catch-up-child';

interface CatchUpArgs {
  eventsPath: string;
  readModelsPath: string;
  workload: Workload;
  fill: FillStats;
  progressFile: string;
  resultFile: string;
}

export interface CatchUpAttempt {
  /** `--max-old-space-size` given to the child, or null for Node's default. */
  maxOldSpaceMb: number | null;
  heapLimitMiB: number;
  result: CatchUpResult | null;
  /** Why the child ended without a result. */
  failure: string | null;
  /** The last progress it wrote. */
  last: CatchUpProgress | null;
  ms: number;
}

async function catchUpChildMain(): Promise<void> {
  const args = JSON.parse(process.argv[3] ?? '{}') as CatchUpArgs;
  const log = (m: string): void => void process.stderr.write(`[projections] ${m}\n`);
  const heapLimitMiB = getHeapStatistics().heap_size_limit / 2 ** 20;
  const write = (progress: CatchUpProgress): void => writeFileSync(args.progressFile, JSON.stringify({ ...progress, heapLimitMiB }));
  const result = await catchUp(args.eventsPath, args.readModelsPath, args.workload, args.fill, log, write);
  writeFileSync(args.resultFile, JSON.stringify({ result, heapLimitMiB }));
}

export async function catchUpInChild(
  args: Omit<CatchUpArgs, 'progressFile' | 'resultFile'>,
  maxOldSpaceMb: number | null,
  log: (m: string) => void,
): Promise<CatchUpAttempt> {
  const progressFile = `${args.readModelsPath}.progress.json`;
  const resultFile = `${args.readModelsPath}.result.json`;
  for (const file of [progressFile, resultFile]) rmSync(file, { force: true });
  const execArgv = [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), ...(maxOldSpaceMb ? [`--max-old-space-size=${maxOldSpaceMb}`] : [])];
  const started = now();
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url), CATCH_UP_CHILD, JSON.stringify({ ...args, progressFile, resultFile })], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8192);
    // Forward the child's progress lines; keep V8's crash report for the failure reason only.
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('[projections] ')) log(line.slice('[projections] '.length));
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ms = now() - started;
  const readJson = <T>(file: string): T | null => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : null);
  const done = readJson<{ result: CatchUpResult; heapLimitMiB: number }>(resultFile);
  const last = readJson<CatchUpProgress & { heapLimitMiB: number }>(progressFile);
  const failure = done
    ? null
    : /heap out of memory/i.test(tail)
      ? 'JavaScript heap out of memory'
      : `the child exited with ${exit.signal ?? `code ${exit.code}`}: ${tail.trim().split('\n').slice(-3).join(' | ')}`;
  return {
    maxOldSpaceMb,
    heapLimitMiB: done?.heapLimitMiB ?? last?.heapLimitMiB ?? Number.NaN,
    result: done?.result ?? null,
    failure,
    last,
    ms,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Full rebuild: projection after projection, and all from one read (as `cli rebuild all`)
// ---------------------------------------------------------------------------------------------

export interface RebuildPhase {
  projection: string;
  events: number;
  ms: number;
  readMs: number;
  applyMs: number;
  runBatchMs: number;
  activateMs: number;
}

export async function rebuildAll(eventsPath: string, readModelsPath: string, workload: Workload, fill: FillStats, log: (m: string) => void): Promise<RebuildPhase[]> {
  const store = new TimedEventStore({ path: eventsPath });
  const readModels = new TimedReadModels({ path: readModelsPath });
  const phases: RebuildPhase[] = [];
  try {
    for (const projection of ALL_PROJECTIONS) {
      const times = emptyTimes();
      const readBefore = store.readAllMs;
      const batchBefore = readModels.timesOf(projection.name).runBatchMs;
      const activateBefore = readModels.activateMs;
      const started = now();
      const result = await rebuildProjection(store, readModels, timedProjection(projection, times), { batchSize: workload.rebuildBatchSize });
      const ms = now() - started;
      phases.push({
        projection: projection.name,
        events: result.events,
        ms,
        readMs: store.readAllMs - readBefore,
        applyMs: times.applyMs,
        runBatchMs: readModels.timesOf(projection.name).runBatchMs - batchBefore,
        activateMs: readModels.activateMs - activateBefore,
      });
      log(`rebuild: ${projection.name} ${result.events.toLocaleString('en-US')} events in ${round(ms / 1000)} s (generation ${result.generation})`);
    }
  } finally {
    await store.close();
    await readModels.close();
  }
  checkCounts(readModelsPath, fill, 'after rebuild');
  return phases;
}

export interface RebuildTogether {
  events: number;
  ms: number;
  readMs: number;
  activateMs: number;
  projections: Array<{ projection: string; applyMs: number; runBatchMs: number }>;
}

/** `rebuildProjections` of all three at once: one read of the log, as `cli rebuild all` does. */
export async function rebuildTogether(eventsPath: string, readModelsPath: string, workload: Workload, fill: FillStats, log: (m: string) => void): Promise<RebuildTogether> {
  const store = new TimedEventStore({ path: eventsPath });
  const readModels = new TimedReadModels({ path: readModelsPath });
  const times = ALL_PROJECTIONS.map(() => emptyTimes());
  let result: RebuildTogether;
  try {
    const started = now();
    const results = await rebuildProjections(
      store,
      readModels,
      ALL_PROJECTIONS.map((p, i) => timedProjection(p, times[i]!)),
      { batchSize: workload.rebuildBatchSize },
    );
    const ms = now() - started;
    result = {
      events: results[0]?.events ?? 0,
      ms,
      readMs: store.readAllMs,
      activateMs: readModels.activateMs,
      projections: ALL_PROJECTIONS.map((p, i) => ({ projection: p.name, applyMs: times[i]!.applyMs, runBatchMs: readModels.timesOf(p.name).runBatchMs })),
    };
    log(`rebuild together: ${result.events.toLocaleString('en-US')} events in ${round(ms / 1000)} s`);
  } finally {
    await store.close();
    await readModels.close();
  }
  checkCounts(readModelsPath, fill, 'after rebuilding together');
  return result;
}

// ---------------------------------------------------------------------------------------------
// 3. Queue query latency
// ---------------------------------------------------------------------------------------------

export interface QueueBuild {
  rows: number;
  openRows: number;
  simulated: number;
  ms: number;
  breached: number;
  unassigned: number;
}

/**
 * Simulated tickets that mostly stay open (two steps each), turned into rows by the queue
 * projection's own `toQueueRow` from the state the deciders folded (what the projection would
 * write for them), written with `runBatch`. Closed tickets have no row, as in the projection.
 */
export async function buildQueue(path: string, openTarget: number, log: (m: string) => void): Promise<QueueBuild> {
  const started = now();
  const policy = defaultSlaPolicy();
  const organizations = simulateOrganizations(policy, SIM_TIERS, ORGS_PER_TIER, SIM_START);
  const readModels = new SqliteReadModelStore({ path });
  const build: QueueBuild = { rows: 0, openRows: 0, simulated: 0, ms: 0, breached: 0, unassigned: 0 };
  try {
    await readModels.init();
    let start = SIM_START;
    for (let chunk = 0; build.openRows < openTarget; chunk += 1) {
      const tickets = simulateTickets({ policy, organizations, tickets: CHUNK_TICKETS, start, seed: 5_000 + chunk, idPrefix: `Q${String(chunk).padStart(3, '0')}`, maxSteps: 1 });
      build.simulated += tickets.length;
      const rows: QueueRow[] = [];
      for (const ticket of tickets) {
        const state = ticket.state as TicketState | null;
        if (!state || state.status === 'CLOSED') continue;
        if (build.openRows >= openTarget && OPEN_STATUSES.has(state.status)) continue;
        const last = ticket.events[ticket.events.length - 1]!;
        const row = toQueueRow(state, ticket.events.length - 1, (last.event.data as { at: string }).at);
        rows.push(row);
        if (OPEN_STATUSES.has(row.status)) {
          build.openRows += 1;
          if (row.breached) build.breached += 1;
          if (row.assigneeId === null) build.unassigned += 1;
        }
      }
      await readModels.runBatch('queue', 1, async (tx) => {
        await tx.queue.put(rows);
        return BigInt(chunk + 1);
      });
      build.rows += rows.length;
      start = new Date(tickets[tickets.length - 1]!.events[0]!.at.getTime() + 5 * MINUTE);
      if (chunk % 5 === 4) log(`queue: ${build.openRows.toLocaleString('en-US')} open rows (${round((now() - started) / 1000)} s)`);
    }
  } finally {
    await readModels.close();
  }
  build.ms = now() - started;
  return build;
}

export interface Shape {
  key: string;
  label: string;
  filter: (random: () => number, cursors: string[]) => { filter: QueueFilter; after?: string };
}

const pickOf = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

const SHAPES: Shape[] = [
  { key: 'all', label: 'whole queue, first page', filter: () => ({ filter: {} }) },
  { key: 'tier', label: 'by tier', filter: (r) => ({ filter: { tier: [pickOf(SIM_TIERS, r)] } }) },
  { key: 'group', label: 'by group', filter: (r) => ({ filter: { group: pickOf(GROUPS, r) } }) },
  { key: 'priority', label: 'by priority', filter: (r) => ({ filter: { priority: [pickOf(PRIORITIES, r)] } }) },
  { key: 'breached', label: 'breached: true', filter: () => ({ filter: { breached: true } }) },
  { key: 'unassigned', label: 'unassigned (assigneeId: null)', filter: () => ({ filter: { assigneeId: null } }) },
  { key: 'deep', label: 'whole queue, deep page (cursor)', filter: (r, cursors) => ({ filter: {}, after: pickOf(cursors, r) }) },
];

type Summary = ReturnType<LatencyRecorder['summary']>;

export interface LatencyResult {
  shapes: Array<{ shape: Shape; summary: Summary; cpu: Summary; count: number; meanRows: number; meanTotal: number }>;
  overall: Summary;
  /** CPU time of this process per query: what the query costs, without time spent descheduled. */
  overallCpu: Summary;
  /** A fixed ~1 ms of CPU work timed after each query: the tail the machine adds to anything. */
  noise: Summary;
  queries: number;
  cursorDepths: string;
  watcher: Summary & { rows: number };
}

/**
 * A fixed piece of CPU work, about `ms` long on this machine when it is not disturbed. Timed
 * between queries, its tail shows how much a shared machine (other processes, the scheduler)
 * adds to any latency measured here.
 */
function calibratedSpin(ms: number): () => void {
  let sink = 0;
  const work = (n: number): void => {
    let x = sink;
    for (let i = 0; i < n; i += 1) x += Math.sqrt(i + x);
    sink = x % 7;
  };
  let n = 10_000;
  for (;;) {
    const started = now();
    work(n);
    const elapsed = now() - started;
    if (elapsed >= ms / 4) break;
    n *= 2;
  }
  const tries: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    const started = now();
    work(n);
    tries.push(now() - started);
  }
  tries.sort((a, b) => a - b);
  const iterations = Math.max(1, Math.round((n * ms) / (tries[7] ?? ms)));
  return () => work(iterations);
}

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

export async function queueLatency(path: string, queries: number, log: (m: string) => void): Promise<LatencyResult> {
  const readModels = new SqliteReadModelStore({ path });
  try {
    // Cursors 500 to 10,000 rows deep into the whole queue (walked, not timed).
    const cursors: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page += 1) {
      const result = await readModels.queue.find({}, { first: 500, ...(after && { after }) });
      if (!result.endCursor || !result.hasNextPage) break;
      after = result.endCursor;
      cursors.push(after);
    }
    const random = seededRandom(7);
    const run = async (shape: Shape): Promise<{ ms: number; cpu: number; rows: number; total: number }> => {
      const { filter, after: cursor } = shape.filter(random, cursors);
      const cpuStarted = cpuMs();
      const started = now();
      const page = await readModels.queue.find(filter, { first: PAGE, ...(cursor && { after: cursor }) });
      const ms = now() - started;
      return { ms, cpu: cpuMs() - cpuStarted, rows: page.rows.length, total: page.totalCount };
    };
    // Warm-up: statements prepared, pages cached.
    for (let i = 0; i < 20; i += 1) for (const shape of SHAPES) await run(shape);
    const recorders = SHAPES.map(() => ({ latency: new LatencyRecorder(1024), cpu: new LatencyRecorder(1024), rows: 0, total: 0, count: 0 }));
    const overall = new LatencyRecorder(queries);
    const overallCpu = new LatencyRecorder(queries);
    const noise = new LatencyRecorder(queries);
    const spin = calibratedSpin(1);
    log(`queue: ${queries.toLocaleString('en-US')} queries, ${SHAPES.length} shapes interleaved`);
    for (let i = 0; i < queries; i += 1) {
      const s = i % SHAPES.length;
      const { ms, cpu, rows, total } = await run(SHAPES[s]!);
      const spinStarted = now();
      spin();
      noise.record(now() - spinStarted);
      const r = recorders[s]!;
      r.latency.record(ms);
      r.cpu.record(cpu);
      overall.record(ms);
      overallCpu.record(cpu);
      r.rows += rows;
      r.total += total;
      r.count += 1;
    }
    // The watcher's query (no target): up to 10,000 rows with a clock due, parsed.
    const watcher = new LatencyRecorder(64);
    let watcherRows = 0;
    for (let i = 0; i < 21; i += 1) {
      const started = now();
      const rows = await readModels.queue.dueForWatcher('2100-01-01T00:00:00.000Z', 10_000);
      if (i > 0) watcher.record(now() - started);
      watcherRows = rows.length;
    }
    return {
      shapes: SHAPES.map((shape, s) => {
        const r = recorders[s]!;
        return { shape, summary: r.latency.summary(), cpu: r.cpu.summary(), count: r.count, meanRows: r.rows / r.count, meanTotal: r.total / r.count };
      }),
      overall: overall.summary(),
      overallCpu: overallCpu.summary(),
      noise: noise.summary(),
      queries,
      cursorDepths: `${cursors.length > 0 ? 500 : 0}..${cursors.length * 500} rows`,
      watcher: { ...watcher.summary(), rows: watcherRows },
    };
  } finally {
    await readModels.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 4. 10,000 clocks due at once
// ---------------------------------------------------------------------------------------------

const WATCH_POLICY = {
  version: 'bench-watcher',
  calendars: { always: { timeZone: 'UTC', hours: '24x7' } },
  tiers: {
    enterprise: {
      channels: ['WEB'],
      calendar: 'always',
      targets: { CRITICAL: { firstResponse: 'PT30M', resolution: 'PT8H' } },
    },
  },
};

export interface WatcherResult {
  tickets: number;
  openMs: number;
  settleMs: number;
  dueQueryMs: number;
  tickMs: number;
  /** CPU time of the process (all its threads) during the tick. */
  tickCpuMs: number;
  candidates: number;
  breaches: number;
  failures: number;
  breachEvents: number;
  projectedMs: number;
  breachRows: number;
  queueBreached: number;
}

/**
 * The worker app (`apps/worker`) with only some of its parts, as a deployment that splits them
 * runs it; resolves once it reports that it is up.
 */
async function startWorkerParts(dir: string, policyFile: string, parts: string): Promise<{ stop(): Promise<void> }> {
  const child = fork(join(process.cwd(), 'apps/worker/src/main.ts'), [], {
    execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings'],
    env: { ...process.env, DATA_DIR: dir, SLA_POLICY_FILE: policyFile, WORKER_PARTS: parts, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker (${parts}) exited with ${code} before it was ready`)));
  });
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `inProcess`: one process runs the projections, the saga and the watcher, as the all-in-one
 * `npm start` does: the watcher on the main thread, projections and saga on a background thread. `split`: the watcher's process runs no projection runner; the
 * projections and the saga run in a worker process (`WORKER_PARTS=projections,saga`), as a
 * deployment that splits the worker's parts does, so they catch up on the other core.
 */
export type WatcherDeployment = 'inProcess' | 'split';

export async function watcherBurst(dir: string, tickets: number, log: (m: string) => void, deployment: WatcherDeployment = 'inProcess'): Promise<WatcherResult> {
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(WATCH_POLICY));
  const clock = new ManualClock(WATCH_START);
  const split = deployment === 'split';
  const runtime = await startRuntime(loadConfig({ DATA_DIR: dir, SLA_POLICY_FILE: policyFile, LOG_LEVEL: 'silent' }), {
    clock,
    watcher: false,
    // As npm start runs: the projections and the saga on the process's background thread.
    ...(split ? { projections: false, saga: false } : { background: 'thread' as const }),
    logger: pino({ level: 'silent' }),
  });
  const worker = split ? await startWorkerParts(dir, policyFile, 'projections,saga') : null;
  try {
    const commands = runtime.app.get(CommandBus);
    const admin = { actor: { id: 'admin', role: 'admin' as const } };
    await commands.execute(new RegisterOrganizationCommand({ id: 'acme', name: 'Acme', tier: 'enterprise' }, admin));
    await commands.execute(new AddContactCommand({ organizationId: 'acme', contactId: 'anna', name: 'Anna', email: 'a@acme.test', kind: 'STAFF' }, admin));
    const customer = { actor: { id: 'anna', role: 'customer' as const, organizationId: 'acme' } };
    log(`watcher: opening ${tickets.toLocaleString('en-US')} tickets through the CommandBus`);
    const openStarted = now();
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < tickets) {
          next += 1;
          const result: TicketResult = await commands.execute(
            new OpenTicketCommand({ channel: 'WEB', type: 'PROBLEM', title: 'Down', description: 'Nobody can log in', requestedPriority: 'CRITICAL' }, customer),
          );
          ids.push(result.ticket.id);
        }
      }),
    );
    const openMs = now() - openStarted;
    const settleStarted = now();
    if (!(await runtime.runner.waitFor(await runtime.store.headPosition(), 600_000))) throw new Error('projections did not catch up');
    const settleMs = now() - settleStarted;

    clock.advance(31 * MINUTE);
    const before = await runtime.store.headPosition();
    // The watcher's query alone, for the breakdown (the tick runs it again).
    const queryStarted = now();
    const due = await runtime.readModels.queue.dueForWatcher(clock.now().toISOString(), 10_000);
    const dueQueryMs = now() - queryStarted;
    if (due.length !== tickets) throw new Error(`dueForWatcher found ${due.length} rows, expected ${tickets}`);

    log('watcher: tick');
    const tickStarted = now();
    const tickCpuStarted = cpuMs();
    const result = await runtime.watcher.tick();
    const tickMs = now() - tickStarted;
    const tickCpuMs = cpuMs() - tickCpuStarted;
    const projected = await runtime.runner.waitFor(await runtime.store.headPosition(), 600_000);
    const projectedMs = now() - tickStarted;
    if (!projected) throw new Error('projections did not catch up after the tick');

    // Every ticket has its breach in the log, once.
    const breachedStreams = new Set<string>();
    let breachEvents = 0;
    for (let after = before; ; ) {
      const batch = await runtime.store.readAll({ after, maxCount: 5_000 });
      const last = batch[batch.length - 1];
      if (!last) break;
      for (const event of batch) {
        if (event.type === 'SlaClockBreached') {
          breachEvents += 1;
          breachedStreams.add(event.streamId);
        }
      }
      after = last.position;
    }
    const missing = ids.filter((id) => !breachedStreams.has(ticketStream(id))).length;
    if (missing > 0 || breachEvents !== tickets) throw new Error(`${missing} tickets without a breach, ${breachEvents} breach events for ${tickets} tickets`);
    const breachRows = (await runtime.readModels.breaches.find({}, { first: 1 })).totalCount;
    const queueBreached = (await runtime.readModels.queue.find({ breached: true }, { first: 1 })).totalCount;
    if (breachRows !== tickets || queueBreached !== tickets) {
      throw new Error(`read models: ${breachRows} breach rows and ${queueBreached} breached queue rows, expected ${tickets}`);
    }
    return {
      tickets,
      openMs,
      settleMs,
      dueQueryMs,
      tickMs,
      tickCpuMs,
      candidates: result.candidates,
      breaches: result.breaches,
      failures: result.failures,
      breachEvents,
      projectedMs,
      breachRows,
      queueBreached,
    };
  } finally {
    await worker?.stop();
    await runtime.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Figures and targets
// ---------------------------------------------------------------------------------------------

/** Higher is better. */
function atLeast(key: string, label: string, value: number, goal: number, unit: string): TargetCheck {
  return { key, label: `${label} ≥ ${goal.toLocaleString('en-US')} ${unit}`, value: round(value), target: goal, unit, pass: value >= goal };
}

/** Lower is better: held as budget ÷ measured ≥ 1, so it reads like the other targets. */
function atMost(key: string, label: string, measured: number, budget: number, unit: string): TargetCheck {
  return {
    key,
    label: `${label} ≤ ${budget.toLocaleString('en-US')} ${unit} (budget ÷ measured)`,
    value: round(budget / measured),
    target: 1,
    unit: 'ratio',
    pass: measured <= budget,
  };
}

const perSecond = (events: number, ms: number): number => (events / ms) * 1000;

/** The catch-up figures: as shipped, and with a larger heap when that crashed. */
function catchUpFigures(workload: Workload, asShipped: CatchUpAttempt, largeHeap: CatchUpAttempt | null, otherCpuPercent: number): Figure[] {
  const figures: Figure[] = [];
  const batch = `${ALL_PROJECTIONS.length} projections, runner batch ${workload.runnerBatchSize}`;
  if (asShipped.result) {
    figures.push({
      key: 'catchUp',
      label: `catch-up, ${batch}`,
      value: round(perSecond(asShipped.result.events, asShipped.result.ms)),
      unit: 'events/s',
      details: catchUpDetails(asShipped, otherCpuPercent),
    });
  } else {
    const last = asShipped.last;
    figures.push({
      key: 'catchUp',
      label: `catch-up, ${batch}: FAILED (${asShipped.failure}) at ${last ? round((last.reached / last.head) * 100) : 0}% after ${last ? round(last.seconds) : 0} s; rate until then`,
      value: round(last ? last.reached / last.seconds : 0),
      unit: 'events/s',
      details: {
        failure: asShipped.failure ?? '',
        heapLimitMiB: Math.round(asShipped.heapLimitMiB),
        reached: last?.reached ?? 0,
        head: last?.head ?? 0,
        seconds: round(last?.seconds ?? 0),
        lastHeapMiB: Math.round(last?.heapMiB ?? 0),
        childSeconds: round(asShipped.ms / 1000),
        otherCpuPercent: round(otherCpuPercent),
      },
    });
    if (largeHeap?.result) {
      figures.push({
        key: 'catchUpLargeHeap',
        label: `catch-up again with --max-old-space-size=${largeHeap.maxOldSpaceMb} (no target; shows the rate)`,
        value: round(perSecond(largeHeap.result.events, largeHeap.result.ms)),
        unit: 'events/s',
        details: catchUpDetails(largeHeap, Number.NaN),
      });
    } else if (largeHeap) {
      figures.push({
        key: 'catchUpLargeHeap',
        label: `catch-up again with --max-old-space-size=${largeHeap.maxOldSpaceMb}: FAILED (${largeHeap.failure})`,
        value: round(largeHeap.last ? largeHeap.last.reached / largeHeap.last.seconds : 0),
        unit: 'events/s',
      });
    }
  }
  const attempt = asShipped.result ? asShipped : largeHeap;
  const result = attempt?.result;
  if (!result) return figures;
  const prefix = asShipped.result ? '  catch-up' : '  catch-up (larger heap)';
  figures.push(
    { key: 'catchUpSeconds', label: `${prefix}: wall time`, value: round(result.ms / 1000), unit: 's' },
    { key: 'catchUpGc', label: `${prefix}: garbage collection`, value: round(result.gcMs / 1000), unit: 's' },
    {
      key: 'catchUpPeakHeap',
      label: `${prefix}: peak heap used (limit ${Math.round(attempt.heapLimitMiB).toLocaleString('en-US')} MiB)`,
      value: Math.round(result.peakHeapMiB),
      unit: 'MiB',
    },
    {
      key: 'catchUpLoopStall',
      label: `${prefix}: longest event-loop stall (no timer or I/O ran)`,
      value: round(result.maxLoopStallMs / 1000),
      unit: 's',
    },
    ...ALL_PROJECTIONS.map((p): Figure => {
      const t = result.times[p.name]!;
      return {
        key: `catchUpApply.${p.name}`,
        label: `${prefix}: ${p.name}, time in applyBatch`,
        value: round(t.applyMs / 1000),
        unit: 's',
        details: {
          runBatchSeconds: round(t.runBatchMs / 1000),
          batches: t.batches,
          events: t.events,
          reachedHeadSeconds: round((result.finishedMs[p.name] ?? Number.NaN) / 1000),
        },
      };
    }),
  );
  return figures;
}

function watcherFigures(key: string, deployment: string, watch: WatcherResult & { roundsMs: string }, otherCpuPercent: number): Figure[] {
  return [
    {
      key: `${key}Tick`,
      label: `watcher tick, ${deployment}: ${watch.breaches.toLocaleString('en-US')} breaches recorded (median round)`,
      value: round(watch.tickMs),
      unit: 'ms',
      details: {
        roundsMs: watch.roundsMs,
        tickets: watch.tickets,
        candidates: watch.candidates,
        breaches: watch.breaches,
        failures: watch.failures,
        breachEventsInLog: watch.breachEvents,
        breachesPerSecond: round(perSecond(watch.breaches, watch.tickMs)),
        tickCpuMs: round(watch.tickCpuMs),
        dueForWatcherMs: round(watch.dueQueryMs),
        openTicketsSeconds: round(watch.openMs / 1000),
        projectionsSettleAfterOpenMs: round(watch.settleMs),
        otherCpuPercent: round(otherCpuPercent),
      },
    },
    {
      key: `${key}TickCpu`,
      label: '  watcher: CPU time of the watcher\'s process during the tick (no target)',
      value: round(watch.tickCpuMs),
      unit: 'ms',
    },
    {
      key: `${key}Projected`,
      label: '  watcher: tick + projections caught up (breaches read model complete)',
      value: round(watch.projectedMs),
      unit: 'ms',
      details: { breachRows: watch.breachRows, breachedQueueRows: watch.queueBreached },
    },
  ];
}

function catchUpDetails(attempt: CatchUpAttempt, otherCpuPercent: number): Record<string, number | string> {
  const result = attempt.result!;
  const details: Record<string, number | string> = {
    events: result.events,
    seconds: round(result.ms / 1000),
    logReadsPerEvent: 1,
    gcMs: round(result.gcMs),
    peakHeapMiB: Math.round(result.peakHeapMiB),
    heapLimitMiB: Math.round(attempt.heapLimitMiB),
    maxEventLoopStallMs: round(result.maxLoopStallMs),
    timerTicks50ms: result.timerTicks,
    readModelBytes: result.readModelBytes,
  };
  if (Number.isFinite(otherCpuPercent)) details['otherCpuPercent'] = round(otherCpuPercent);
  for (const p of ALL_PROJECTIONS) {
    const t = result.times[p.name]!;
    details[`${p.name}.applySeconds`] = round(t.applyMs / 1000);
    details[`${p.name}.runBatchSeconds`] = round(t.runBatchMs / 1000);
    details[`${p.name}.batches`] = t.batches;
  }
  return details;
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { scale, log } = options;
  const workload: Workload = {
    tickets: Math.max(1_000, Math.round(envInt('BENCH_TICKETS', 95_000) * scale)),
    // The worker's default (PROJECTION_BATCH_SIZE unset).
    runnerBatchSize: envInt('BENCH_BATCH_SIZE', loadConfig({}).projectionBatchSize),
    rebuildBatchSize: envInt('BENCH_REBUILD_BATCH_SIZE', 2_000),
    openTickets: Math.max(2_000, Math.round(envInt('BENCH_OPEN_TICKETS', 100_000) * scale)),
    queries: envInt('BENCH_QUERIES', 2_800),
    dueTickets: Math.max(100, Math.round(envInt('BENCH_DUE_TICKETS', 10_000) * scale)),
    watcherRounds: Math.max(1, envInt('BENCH_WATCHER_ROUNDS', 3)),
    fillWindow: envInt('BENCH_FILL_WINDOW', 4_000),
  };
  const dir = options.tempDir('projections');
  const eventsPath = join(dir, 'events.db');
  const readModelsPath = join(dir, 'read-models.db');

  // 1. Catch-up.
  const fill = await fillLog(eventsPath, workload.tickets, workload.fillWindow, log);
  log(`fill: ${fill.events.toLocaleString('en-US')} events, ${fill.appends.toLocaleString('en-US')} appends in ${round(fill.ms / 1000)} s`);
  const catchUpLoad = new MachineLoad();
  const catchUpArgs = { eventsPath, readModelsPath, workload, fill };
  const asShipped = await catchUpInChild(catchUpArgs, null, log);
  const catchUpOtherCpu = catchUpLoad.otherCpuPercent();
  let largeHeap: CatchUpAttempt | null = null;
  if (!asShipped.result) {
    const heapMb = envInt('BENCH_CATCHUP_RETRY_HEAP_MB', 12_288);
    log(`catch-up failed (${asShipped.failure}); again on a fresh read-models file with --max-old-space-size=${heapMb}, to measure the rate`);
    for (const file of [readModelsPath, `${readModelsPath}-wal`, `${readModelsPath}-shm`]) rmSync(file, { force: true });
    largeHeap = await catchUpInChild(catchUpArgs, heapMb, log);
  }
  const catchUpResult = asShipped.result ?? largeHeap?.result ?? null;
  const asShippedRate = asShipped.result
    ? perSecond(asShipped.result.events, asShipped.result.ms)
    : asShipped.last
      ? asShipped.last.reached / asShipped.last.seconds
      : 0;
  if (catchUpResult) log(`catch-up: ${round(catchUpResult.ms / 1000)} s, ${Math.round(perSecond(catchUpResult.events, catchUpResult.ms)).toLocaleString('en-US')} events/s`);

  // 2. Rebuild.
  const rebuildLoad = new MachineLoad();
  const rebuildStarted = now();
  const rebuild = await rebuildAll(eventsPath, readModelsPath, workload, fill, log);
  const rebuildMs = now() - rebuildStarted;
  const rebuildOtherCpu = rebuildLoad.otherCpuPercent();
  const togetherLoad = new MachineLoad();
  const together = await rebuildTogether(eventsPath, readModelsPath, workload, fill, log);
  const togetherOtherCpu = togetherLoad.otherCpuPercent();
  const eventsBytes = fileBytes(eventsPath);

  // 3. Queue latency.
  const queuePath = join(dir, 'queue-latency.db');
  const queueBuild = await buildQueue(queuePath, workload.openTickets, log);
  log(`queue: ${queueBuild.rows.toLocaleString('en-US')} rows (${queueBuild.openRows.toLocaleString('en-US')} open) in ${round(queueBuild.ms / 1000)} s`);
  const latencyLoad = new MachineLoad();
  const latency = await queueLatency(queuePath, workload.queries, log);
  const latencyOtherCpu = latencyLoad.otherCpuPercent();

  // 4. Watcher.
  // First with the projections and the saga in a worker process (the split deployment), then
  // all in one process; each on a fresh data directory.
  // Rounds, alternating, each on a fresh data directory; the figures are the median round's.
  const splitRounds: WatcherResult[] = [];
  const inProcessRounds: WatcherResult[] = [];
  const watchLoad = new MachineLoad();
  for (let round_ = 0; round_ < workload.watcherRounds; round_ += 1) {
    const split = await watcherBurst(options.tempDir('projections-watcher-split'), workload.dueTickets, log, 'split');
    splitRounds.push(split);
    log(`watcher (split), round ${round_ + 1}: tick ${round(split.tickMs)} ms for ${split.breaches.toLocaleString('en-US')} breaches`);
    const inProcess = await watcherBurst(options.tempDir('projections-watcher'), workload.dueTickets, log, 'inProcess');
    inProcessRounds.push(inProcess);
    log(`watcher (one process), round ${round_ + 1}: tick ${round(inProcess.tickMs)} ms for ${inProcess.breaches.toLocaleString('en-US')} breaches`);
  }
  const watchOtherCpu = watchLoad.otherCpuPercent();
  const watchInProcessOtherCpu = watchOtherCpu;
  const median = (rounds: WatcherResult[]): WatcherResult => [...rounds].sort((a, b) => a.tickMs - b.tickMs)[Math.floor((rounds.length - 1) / 2)]!;
  const watch = { ...median(splitRounds), roundsMs: splitRounds.map((r) => round(r.tickMs)).join(' / ') };
  const watchInProcess = { ...median(inProcessRounds), roundsMs: inProcessRounds.map((r) => round(r.tickMs)).join(' / ') };

  const figures: Figure[] = [
    ...catchUpFigures(workload, asShipped, largeHeap, catchUpOtherCpu),
    {
      key: 'rebuildTogether',
      label: `full rebuild, ${ALL_PROJECTIONS.length} projections from one read (rebuildProjections, cli rebuild all), batch ${workload.rebuildBatchSize}`,
      value: round(together.ms / 1000),
      unit: 's',
      details: {
        events: together.events,
        eventsPerSecond: round(perSecond(together.events, together.ms)),
        readAllSeconds: round(together.readMs / 1000),
        activateSeconds: round(together.activateMs / 1000),
        ...Object.fromEntries(
          together.projections.flatMap((p) => [
            [`${p.projection}.applySeconds`, round(p.applyMs / 1000)],
            [`${p.projection}.commitSeconds`, round((p.runBatchMs - p.applyMs) / 1000)],
          ]),
        ),
        otherCpuPercent: round(togetherOtherCpu),
      },
    },
    {
      key: 'rebuild',
      label: `full rebuild, rebuildProjection of each in turn, batch ${workload.rebuildBatchSize}`,
      value: round(rebuildMs / 1000),
      unit: 's',
      details: {
        events: fill.events,
        eventsPerSecondPerProjection: round(perSecond(fill.events * ALL_PROJECTIONS.length, rebuildMs)),
        otherCpuPercent: round(rebuildOtherCpu),
      },
    },
    ...rebuild.map(
      (r): Figure => ({
        key: `rebuild.${r.projection}`,
        label: `  rebuild ${r.projection}: ${Math.round(perSecond(r.events, r.ms)).toLocaleString('en-US')} events/s`,
        value: round(r.ms / 1000),
        unit: 's',
        details: {
          events: r.events,
          eventsPerSecond: round(perSecond(r.events, r.ms)),
          readAllSeconds: round(r.readMs / 1000),
          applySeconds: round(r.applyMs / 1000),
          // BEGIN, generation check, checkpoint, COMMIT (the WAL grows: pages written).
          commitSeconds: round((r.runBatchMs - r.applyMs) / 1000),
          activateSeconds: round(r.activateMs / 1000),
        },
      }),
    ),
    ...latency.shapes.flatMap(({ shape, summary, cpu, count, meanRows, meanTotal }): Figure[] => [
      {
        key: `queue.${shape.key}.p99`,
        label: `queue ${shape.label}: p50 ${round(summary.p50)} ms, p99`,
        value: round(summary.p99),
        unit: 'ms',
        details: {
          queries: count,
          p50Ms: round(summary.p50),
          p90Ms: round(summary.p90),
          p99Ms: round(summary.p99),
          maxMs: round(summary.max),
          meanMs: round(summary.mean),
          cpuP50Ms: round(cpu.p50),
          cpuP99Ms: round(cpu.p99),
          meanRows: round(meanRows),
          meanTotalCount: round(meanTotal),
        },
      },
    ]),
    {
      key: 'queue.p50',
      label: `queue, all ${latency.queries.toLocaleString('en-US')} queries: p50`,
      value: round(latency.overall.p50),
      unit: 'ms',
    },
    {
      key: 'queue.p99',
      label: `queue, all ${latency.queries.toLocaleString('en-US')} queries: p99`,
      value: round(latency.overall.p99),
      unit: 'ms',
      details: {
        p90Ms: round(latency.overall.p90),
        maxMs: round(latency.overall.max),
        meanMs: round(latency.overall.mean),
        cpuP50Ms: round(latency.overallCpu.p50),
        cpuP99Ms: round(latency.overallCpu.p99),
        otherCpuPercent: round(latencyOtherCpu),
      },
    },
    {
      key: 'queue.cpuP99',
      label: '  queue, all queries: p99 of CPU time per query (no target)',
      value: round(latency.overallCpu.p99),
      unit: 'ms',
      details: { p50Ms: round(latency.overallCpu.p50), p90Ms: round(latency.overallCpu.p90), maxMs: round(latency.overallCpu.max) },
    },
    {
      key: 'queue.noiseP99',
      label: `  machine noise: fixed ${round(latency.noise.p50)} ms CPU task timed between queries, p99 (no target)`,
      value: round(latency.noise.p99),
      unit: 'ms',
      details: { p50Ms: round(latency.noise.p50), p90Ms: round(latency.noise.p90), maxMs: round(latency.noise.max) },
    },
    {
      key: 'queue.dueForWatcher',
      label: `queue dueForWatcher(limit 10,000): ${latency.watcher.rows.toLocaleString('en-US')} rows, p50 (no target)`,
      value: round(latency.watcher.p50),
      unit: 'ms',
      details: { p99Ms: round(latency.watcher.p99), rows: latency.watcher.rows },
    },
    ...watcherFigures('watcher', 'projections and saga in a worker process (WORKER_PARTS split)', watch, watchOtherCpu),
    ...watcherFigures('watcherInProcess', 'everything in one process (npm start)', watchInProcess, watchInProcessOtherCpu),
  ];
  const targets: TargetCheck[] = [
    {
      ...atLeast('catchUp', 'catch-up (as shipped)', asShippedRate, 50_000, 'events/s'),
      pass: asShipped.result !== null && asShippedRate >= 50_000,
    },
    atMost('rebuildTogether', 'full rebuild (cli rebuild all: one read)', together.ms / 1000, 30, 's'),
    atMost('rebuild', 'full rebuild (rebuildProjection in turn)', rebuildMs / 1000, 30, 's'),
    atMost('queueP99', 'queue p99', latency.overall.p99, 5, 'ms'),
    atMost('watcherTick', `${watch.tickets.toLocaleString('en-US')} breaches (watcher without the runner: split)`, watch.tickMs / 1000, 2, 's'),
    atMost('watcherInProcessTick', `${watchInProcess.tickets.toLocaleString('en-US')} breaches (all in one process)`, watchInProcess.tickMs / 1000, 2, 's'),
  ];
  return {
    name: 'projections',
    description: 'projection catch-up and rebuild, queue latency, SLA watcher burst (embedded SQLite)',
    parameters: {
      ...workload,
      tickets: fill.tickets,
      events: fill.events,
      appends: fill.appends,
      eventsPerTicket: round(fill.events / fill.tickets),
      eventsPerAppend: round(fill.events / fill.appends),
      queueRowsExpected: fill.queueRows,
      breachRowsExpected: fill.breachRows,
      eventsDbBytes: eventsBytes,
      fillSeconds: round(fill.ms / 1000),
      queueSimulatedTickets: queueBuild.simulated,
      queueTableRows: queueBuild.rows,
      queueOpenRows: queueBuild.openRows,
      queueOpenBreached: queueBuild.breached,
      queueOpenUnassigned: queueBuild.unassigned,
      queueBuildSeconds: round(queueBuild.ms / 1000),
      queueCursorDepths: latency.cursorDepths,
    },
    figures,
    targets,
    notes: [
      `Catch-up: events/s = ${(catchUpResult?.events ?? asShipped.last?.head ?? fill.events).toLocaleString('en-US')} events in the log ÷ wall time until all ${ALL_PROJECTIONS.length} projections reached the head; the runner reads each page of the log once for all of them (each commits its own batches with its own checkpoint), in one Node thread (a child process, so a crash is a finding).`,
      ...(asShipped.result
        ? []
        : [
            `Catch-up as shipped (default heap, ${Math.round(asShipped.heapLimitMiB)} MiB) failed: ${asShipped.failure}, with ${asShipped.last ? `${round((asShipped.last.reached / asShipped.last.head) * 100)}% of the log applied after ${round(asShipped.last.seconds)} s` : 'no progress recorded'}; its figure is the rate until then. The breakdown is from the run with a larger heap.`,
          ]),
      'The log is written (not timed) in simulated-time order within chunks of 5,000 tickets, one append per decision, so a batch touches many tickets as live traffic does.',
      'Rebuild: on the caught-up read-models file (blue/green: activation drops the old generation), first rebuildProjection of each projection in turn (a read of the log each), then rebuildProjections of all three from one read, as `cli rebuild all` does.',
      `Queue: ${queueBuild.openRows.toLocaleString('en-US')} open rows (+${(queueBuild.rows - queueBuild.openRows).toLocaleString('en-US')} RESOLVED) made by toQueueRow from simulated tickets (maxSteps 1), written with runBatch; pages of ${PAGE}, shapes interleaved.`,
      'Watcher: 24/7 policy, 30-minute first response, all tickets opened at one instant; the escalation saga runs (no onBreach rule). Twice: with the projections and the saga in a worker process (apps/worker, WORKER_PARTS=projections,saga; the watcher\'s process runs the commands only), then with everything in one process as npm start runs it (the watcher on the main thread, projections and saga on its background thread).',
      'Lower-is-better targets are shown as budget ÷ measured (PASS when ≥ 1).',
    ],
  };
}

if (process.argv[2] === CATCH_UP_CHILD) await catchUpChildMain();
