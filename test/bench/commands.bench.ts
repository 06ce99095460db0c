/**
 * Commands through the Nest CommandBus on the embedded SQLite store (durable default: WAL,
 * synchronous=FULL, group commit), held against the store's own append rate for the same
 * appends, plus business-time arithmetic alone.
 *
 * Each caller walks its own tickets through a realistic life of 7 commands, one after another:
 * open (customer), change priority (agent, with a reason), assign, agent reply, await customer,
 * customer reply, resolve. Tickets of different callers run in parallel.
 *
 * The store alone replays, on new streams, ticket lives the commands wrote (same events per
 * append, same payloads, same expected-revision sequence), so commands/s ÷ appends/s is what
 * the application costs on top of the store. Commands and the store alone run in alternating
 * turns of `BENCH_SLICE_MS`, each on its own file, so both meet the same load from the rest of
 * a shared machine.
 *
 * `npm run bench -- commands`; `BENCH_SCALE=0.1` for a quick run. Overrides:
 * `BENCH_MIN_COMMANDS` (20,000 per kind and run), `BENCH_MIN_MS` (3,000), `BENCH_SLICE_MS`
 * (250), `BENCH_CONCURRENCY` (64), `BENCH_ROUNDS` (3), `BENCH_ORGS` (8), `BENCH_CONTACTS`
 * (10 per organization), `BENCH_BUSINESS_TIME_OPS` (500,000).
 */
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import {
  AddContactCommand,
  ApplicationModule,
  AssignTicketCommand,
  AwaitCustomerCommand,
  ChangePriorityCommand,
  ManualClock,
  OpenTicketCommand,
  RegisterOrganizationCommand,
  ReplyToTicketCommand,
  ResolveTicketCommand,
} from '@tracedesk/application';
import type { Actor } from '@tracedesk/domain';
import { SqliteEventStore, type EventToAppend, type ExpectedRevision } from '@tracedesk/event-store';
import { addBusinessTime, defaultSlaPolicy, type Priority } from '@tracedesk/sla';
import {
  envInt,
  LatencyRecorder,
  now,
  round,
  seededRandom,
  type BenchOptions,
  type BenchResult,
  type Figure,
  type TargetCheck,
} from './bench-kit.js';

const COMMANDS_PER_TICKET = 7;
/** Monday 2026-11-23 10:00 Moscow time: inside the business hours of both default calendars. */
const CLOCK_START = '2026-11-23T07:00:00.000Z';
/** Business time moves this much per command issued (see the note on the clock). */
const CLOCK_STEP_MS = 100;
/** Tiers of the default policy that take WEB tickets, on both of its business calendars. */
const TIERS = ['pro', 'enterprise'] as const;
const PRIORITIES: readonly Priority[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const TEXT_POOL = 512;
const TEMPLATE_TICKETS = 256;
const WEEK_MS = 7 * 24 * 3_600_000;
const DAY_MS = 86_400_000;

export interface Workload {
  /** Per kind (commands, appends) and per run: at least this many operations and this long. */
  minCommands: number;
  minMs: number;
  /** Length of a turn when commands and the store alone alternate. */
  sliceMs: number;
  warmupTickets: number;
  concurrency: number;
  organizations: number;
  contactsPerOrganization: number;
  businessTimeOps: number;
}

export interface PhaseResult {
  /** Commands (or appends) completed in the timed window. */
  count: number;
  ms: number;
  perSecond: number;
  details: Record<string, number | string>;
}

/** One append as the command phase wrote it: its events, replayed by the store phase. */
type AppendTemplate = EventToAppend[];
/** The appends of one ticket's life, in order. */
type TicketTemplate = AppendTemplate[];

interface Texts {
  titles: string[];
  descriptions: string[];
  bodies: string[];
  reasons: string[];
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

/** Generated once, so the timed loops measure the application rather than the generator. */
export function makeTexts(seed: number): Texts {
  const random = seededRandom(seed);
  const many = (min: number, max: number): string[] => Array.from({ length: TEXT_POOL }, () => sentence(random, min, max));
  return { titles: many(3, 8), descriptions: many(12, 40), bodies: many(8, 30), reasons: many(4, 12) };
}

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('empty pool');
  return item;
}

interface Organization {
  id: string;
  contacts: string[];
}

interface CommandApp {
  bus: CommandBus;
  store: SqliteEventStore;
  clock: ManualClock;
  organizations: Organization[];
  close(): Promise<void>;
}

/** The application as the gateway runs it: Nest CQRS module over a SQLite file, default options. */
export async function startApp(
  path: string,
  workload: Pick<Workload, 'organizations' | 'contactsPerOrganization'>,
  makeStore: (path: string) => SqliteEventStore = (file) => new SqliteEventStore({ path: file }),
): Promise<CommandApp> {
  const store = makeStore(path);
  const clock = new ManualClock(CLOCK_START);
  const app = await NestFactory.createApplicationContext(
    ApplicationModule.forRoot({ eventStore: store, policy: defaultSlaPolicy(), clock }),
    { logger: false },
  );
  await app.init();
  const bus = app.get(CommandBus);
  const admin: Actor = { id: 'admin-1', role: 'admin' };
  const organizations: Organization[] = [];
  for (let o = 0; o < workload.organizations; o += 1) {
    const tier = pick(TIERS, o);
    const { organization } = await bus.execute(
      new RegisterOrganizationCommand({ id: `org-${o}`, name: `Customer ${o}`, tier }, { actor: admin }),
    );
    const contacts: string[] = [];
    for (let c = 0; c < workload.contactsPerOrganization; c += 1) {
      const contactId = `staff-${o}-${c}`;
      await bus.execute(
        new AddContactCommand(
          { organizationId: organization.id, contactId, name: `Staff ${c}`, email: `staff${c}@org${o}.test`, kind: 'STAFF' },
          { actor: admin },
        ),
      );
      contacts.push(contactId);
    }
    organizations.push({ id: organization.id, contacts });
  }
  return {
    bus,
    store,
    clock,
    organizations,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** One kind of work for the interleaving runner: `step(caller)` does that caller's next operation. */
interface Driver {
  step(caller: number): Promise<void>;
}

/** Where one caller is in its current ticket's life. */
interface Life {
  /** Tickets this caller has started. */
  n: number;
  /** Next command of the life, 0..6. */
  next: number;
  ticketId: string;
  customer: Actor;
  agent: Actor;
  /** Seed of the texts and choices of this ticket. */
  i: number;
  /** What triage changes the priority to: never the one it was opened with. */
  triage: Priority;
}

/**
 * Callers walking their own tickets through the 7-command life, one command per `step`:
 * open (customer), change priority (agent, reason), assign, agent reply, await customer,
 * customer reply, resolve. Every command of the life writes (checked after the run).
 */
export class CommandDriver implements Driver {
  private readonly lives: Life[];
  /** Ids of tickets walked to the end, for the store's templates. */
  readonly finished: string[] = [];

  constructor(
    private readonly app: CommandApp,
    private readonly texts: Texts,
    callers: number,
  ) {
    this.lives = Array.from({ length: callers }, () => ({
      n: -1,
      next: 0,
      ticketId: '',
      customer: { id: '', role: 'customer' },
      agent: { id: '', role: 'agent' },
      i: 0,
      triage: 'HIGH',
    }));
  }

  /** Tickets walked to the end by `caller`. */
  ticketsDone(caller: number): number {
    const life = this.lives[caller]!;
    return life.next === 0 ? life.n + 1 : life.n;
  }

  async step(caller: number): Promise<void> {
    const life = this.lives[caller]!;
    const { bus, clock } = this.app;
    const texts = this.texts;
    // Every command moves business time on, so SLA clocks see time pass (deterministically).
    clock.advance(CLOCK_STEP_MS);
    const { ticketId, agent, customer, i } = life;
    const byAgent = { actor: agent };
    switch (life.next) {
      case 0: {
        life.n += 1;
        const n = life.n;
        const organization = pick(this.app.organizations, caller + n);
        life.customer = { id: pick(organization.contacts, n), role: 'customer', organizationId: organization.id };
        life.agent = { id: `agent-${caller % 16}`, role: 'agent' };
        life.i = caller * 7919 + n;
        const requested = n % 4 === 0 ? undefined : pick(PRIORITIES, life.i);
        const opened = await bus.execute(
          new OpenTicketCommand(
            {
              channel: 'WEB',
              type: pick(['PROBLEM', 'QUESTION', 'SERVICE_REQUEST'] as const, life.i),
              title: pick(texts.titles, life.i),
              description: pick(texts.descriptions, life.i),
              ...(requested !== undefined && { requestedPriority: requested }),
            },
            { actor: life.customer },
          ),
        );
        life.ticketId = opened.ticket.id;
        life.triage = pick(PRIORITIES, PRIORITIES.indexOf(opened.ticket.priority) + 1 + (life.i % 3));
        break;
      }
      case 1:
        await bus.execute(
          new ChangePriorityCommand({ ticketId, priority: life.triage, reason: pick(texts.reasons, i) }, byAgent),
        );
        break;
      case 2:
        await bus.execute(new AssignTicketCommand({ ticketId, assigneeId: agent.id, group: 'frontline' }, byAgent));
        break;
      case 3:
        await bus.execute(new ReplyToTicketCommand({ ticketId, body: pick(texts.bodies, i) }, byAgent));
        break;
      case 4:
        await bus.execute(new AwaitCustomerCommand({ ticketId, body: pick(texts.bodies, i + 1) }, byAgent));
        break;
      case 5:
        await bus.execute(new ReplyToTicketCommand({ ticketId, body: pick(texts.bodies, i + 2) }, { actor: customer }));
        break;
      default: {
        const resolved = await bus.execute(new ResolveTicketCommand({ ticketId, resolution: pick(texts.bodies, i + 3) }, byAgent));
        if (resolved.ticket.status !== 'RESOLVED' || resolved.revision < COMMANDS_PER_TICKET - 1) {
          throw new Error(`ticket ${ticketId} ended ${resolved.ticket.status} at revision ${resolved.revision}`);
        }
        if (this.finished.length < TEMPLATE_TICKETS) this.finished.push(ticketId);
      }
    }
    life.next = (life.next + 1) % COMMANDS_PER_TICKET;
  }
}

/** A ticket's stream cut back into its appends: one command's events share one correlation id. */
async function ticketTemplate(store: SqliteEventStore, ticketId: string): Promise<TicketTemplate> {
  const events = await store.readStream(`ticket-${ticketId}`);
  const appends: TicketTemplate = [];
  let correlation: unknown;
  for (const event of events) {
    const entry: EventToAppend = { type: event.type, data: event.data, metadata: event.metadata };
    if (appends.length > 0 && event.metadata['correlationId'] === correlation) appends[appends.length - 1]!.push(entry);
    else appends.push([entry]);
    correlation = event.metadata['correlationId'];
  }
  if (appends.length !== COMMANDS_PER_TICKET) throw new Error(`ticket ${ticketId} has ${appends.length} appends`);
  return appends;
}

/**
 * The store alone doing the same appends: each caller walks its own new streams through a
 * recorded ticket life (its 7 appends in order, each with the expected revision).
 */
class AppendDriver implements Driver {
  private readonly streams: Array<{ n: number; next: number; template: TicketTemplate; expected: ExpectedRevision }>;

  constructor(
    readonly store: SqliteEventStore,
    private readonly templates: TicketTemplate[],
    callers: number,
  ) {
    this.streams = Array.from({ length: callers }, () => ({ n: -1, next: 0, template: [], expected: 'no_stream' as ExpectedRevision }));
  }

  async step(caller: number): Promise<void> {
    const s = this.streams[caller]!;
    if (s.next === 0) {
      s.n += 1;
      s.template = pick(this.templates, caller * 7919 + s.n);
      s.expected = 'no_stream';
    }
    const result = await this.store.append(`ticket-S${caller}-${s.n}`, pick(s.template, s.next), s.expected);
    s.expected = result.nextExpectedRevision;
    s.next = (s.next + 1) % s.template.length;
  }
}

interface Tally {
  ops: number;
  ms: number;
  cpuMicros: number;
  slices: number;
  latency: LatencyRecorder;
}

/**
 * Runs the drivers in turns of `sliceMs` (each with `callers` callers) until `enough`, so that
 * they share whatever else loads the machine's disk and CPUs. A turn ends when its last
 * operation in flight has finished; its time runs from its first start to that end.
 */
async function interleave(
  drivers: readonly Driver[],
  callers: number,
  sliceMs: number,
  enough: (tallies: readonly Tally[]) => boolean,
): Promise<Tally[]> {
  const tallies: Tally[] = drivers.map(() => ({ ops: 0, ms: 0, cpuMicros: 0, slices: 0, latency: new LatencyRecorder() }));
  let active = 0;
  let finished = false;
  let inFlight = 0;
  let waiting: Array<() => void> = [];
  let sliceStart = now();
  let cpuStart = process.cpuUsage();
  let sliceEnd = sliceStart + sliceMs;
  const endSlice = (): void => {
    const tally = tallies[active]!;
    const cpu = process.cpuUsage(cpuStart);
    tally.ms += now() - sliceStart;
    tally.cpuMicros += cpu.user + cpu.system;
    tally.slices += 1;
    // Stop only after the last driver's turn, so every driver had as many turns.
    if (active === drivers.length - 1 && enough(tallies)) finished = true;
    else active = (active + 1) % drivers.length;
    sliceStart = now();
    cpuStart = process.cpuUsage();
    sliceEnd = sliceStart + sliceMs;
    const wake = waiting;
    waiting = [];
    for (const resume of wake) resume();
  };
  const caller = async (d: number, c: number): Promise<void> => {
    const driver = drivers[d]!;
    const tally = tallies[d]!;
    while (!finished) {
      if (active !== d || now() >= sliceEnd) {
        // The last caller out of an expired turn hands over; the others wait for their turn.
        if (active === d && inFlight === 0) endSlice();
        else await new Promise<void>((resume) => waiting.push(resume));
        continue;
      }
      inFlight += 1;
      const started = now();
      await driver.step(c);
      tally.latency.record(now() - started);
      tally.ops += 1;
      inFlight -= 1;
    }
  };
  await Promise.all(drivers.flatMap((_, d) => Array.from({ length: callers }, (__, c) => caller(d, c))));
  return tallies;
}

/** Runs `step` on every caller until `done(caller)`. */
async function warmUp(driver: Driver, callers: number, done: (caller: number) => boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      while (!done(c)) await driver.step(c);
    }),
  );
}

export interface PairResult {
  commands: PhaseResult;
  store: PhaseResult;
  /** commands/s ÷ appends/s over the same turns. */
  ratio: number;
  templates: TicketTemplate[];
}

/**
 * Commands through the application and the store alone doing the same appends, each on its
 * own fresh file, with `callers` callers each, run in alternating turns. The store replays
 * `templates`, or the ticket lives of the command warm-up when none are given yet.
 */
export async function commandsAgainstStore(
  dir: string,
  callers: number,
  workload: Workload,
  texts: Texts,
  given: TicketTemplate[],
): Promise<PairResult> {
  const commandsPath = join(dir, `commands-${callers}.db`);
  const storePath = join(dir, `store-${callers}.db`);
  const app = await startApp(commandsPath, workload);
  const commands = new CommandDriver(app, texts, callers);
  let appends: AppendDriver | undefined;
  try {
    const ticketsPerCaller = Math.max(1, Math.ceil(workload.warmupTickets / callers));
    await warmUp(commands, callers, (c) => commands.ticketsDone(c) >= ticketsPerCaller);
    const templates = given.length > 0 ? given : await Promise.all(commands.finished.map((id) => ticketTemplate(app.store, id)));
    appends = new AppendDriver(new SqliteEventStore({ path: storePath }), templates, callers);
    const appendsPerCaller = ticketsPerCaller * COMMANDS_PER_TICKET;
    let warm = 0;
    await warmUp(appends, callers, () => warm++ >= appendsPerCaller * callers);

    const commandsBefore = app.store.commitStats();
    const storeBefore = appends.store.commitStats();
    const [c, s] = await interleave([commands, appends], callers, workload.sliceMs, (tallies) =>
      tallies.every((t) => t.ops >= workload.minCommands && t.ms >= workload.minMs),
    );
    const commandsAfter = app.store.commitStats();
    const storeAfter = appends.store.commitStats();
    const commandAppends = commandsAfter.appends - commandsBefore.appends;
    if (commandAppends !== c!.ops) throw new Error(`${c!.ops} commands made ${commandAppends} appends; every command of the mix writes`);
    const commandPhase = phaseResult(c!, 'command', commandsAfter, commandsBefore);
    const storePhase = phaseResult(s!, 'append', storeAfter, storeBefore);
    return { commands: commandPhase, store: storePhase, ratio: commandPhase.perSecond / storePhase.perSecond, templates };
  } finally {
    await app.close();
    await appends?.store.close();
    removeDatabase(commandsPath);
    removeDatabase(storePath);
  }
}

type CommitStats = ReturnType<SqliteEventStore['commitStats']>;

function phaseResult(tally: Tally, unit: 'command' | 'append', after: CommitStats, before: CommitStats): PhaseResult {
  const appends = after.appends - before.appends;
  const events = after.events - before.events;
  const transactions = after.transactions - before.transactions;
  const l = tally.latency.summary();
  return {
    count: tally.ops,
    ms: tally.ms,
    perSecond: (tally.ops / tally.ms) * 1000,
    details: {
      [`${unit}s`]: tally.ops,
      seconds: round(tally.ms / 1000),
      turns: tally.slices,
      events,
      [`eventsPer${unit === 'command' ? 'Command' : 'Append'}`]: round(events / appends),
      transactions,
      appendsPerTransaction: round(appends / transactions),
      [`cpuMicrosPer${unit === 'command' ? 'Command' : 'Append'}`]: round(tally.cpuMicros / tally.ops),
      latencyP50Ms: round(l.p50),
      latencyP90Ms: round(l.p90),
      latencyP99Ms: round(l.p99),
      latencyMaxMs: round(l.max),
      latencyMeanMs: round(l.mean),
    },
  };
}

/** `addBusinessTime` alone on the default policy's standard calendar (msk-weekdays). */
export function businessTimePhase(ops: number, seed: number): PhaseResult {
  const calendar = defaultSlaPolicy().calendars['msk-weekdays'];
  if (!calendar) throw new Error('the default policy has no msk-weekdays calendar');
  const random = seededRandom(seed);
  // Starts over a year that includes the calendar's New Year holidays.
  const from = Date.parse('2026-07-01T00:00:00Z');
  const starts = Array.from({ length: ops }, () => new Date(from + Math.floor(random() * 365 * DAY_MS)));
  const durations = Float64Array.from({ length: ops }, () => Math.floor(random() * (WEEK_MS + 1)));
  let sink = 0;
  const loop = (): number => {
    const t0 = now();
    for (let i = 0; i < ops; i += 1) sink += addBusinessTime(calendar, starts[i]!, durations[i]!).getTime() % 7;
    return now() - t0;
  };
  loop(); // warm-up: JIT and the compiled calendar's day cache
  const ms = loop();
  if (sink === 0) throw new Error('nothing computed');
  return {
    count: ops,
    ms,
    perSecond: (ops / ms) * 1000,
    details: { operations: ops, seconds: round(ms / 1000), nanosPerOperation: round((ms * 1e6) / ops) },
  };
}

function removeDatabase(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The median round; the details are those of the round closest to it, all rates kept. */
function medianFigure(key: string, label: string, unit: string, rounds: PhaseResult[]): Figure {
  const rates = rounds.map((r) => r.perSecond);
  const value = median(rates);
  const closest = rounds.reduce((best, r) => (Math.abs(r.perSecond - value) < Math.abs(best.perSecond - value) ? r : best));
  return { key, label, value: round(value), unit, details: { rounds: rates.map((r) => Math.round(r)).join(', '), ...closest.details } };
}

/** A detail of the median round as a figure of its own (latencies). */
function detailFigure(key: string, label: string, unit: string, from: Figure, detail: string): Figure {
  return { key, label, value: Number(from.details?.[detail] ?? Number.NaN), unit };
}

function target(key: string, label: string, value: number, goal: number, unit: string): TargetCheck {
  return { key, label, value: round(value), target: goal, unit, pass: value >= goal };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const { scale, log } = options;
  const workload: Workload = {
    minCommands: Math.max(700, Math.round(envInt('BENCH_MIN_COMMANDS', 20_000) * scale)),
    minMs: envInt('BENCH_MIN_MS', 3_000) * scale,
    sliceMs: envInt('BENCH_SLICE_MS', 250),
    warmupTickets: Math.max(64, Math.round(500 * scale)),
    concurrency: envInt('BENCH_CONCURRENCY', 64),
    organizations: envInt('BENCH_ORGS', 8),
    contactsPerOrganization: envInt('BENCH_CONTACTS', 10),
    businessTimeOps: Math.max(20_000, Math.round(envInt('BENCH_BUSINESS_TIME_OPS', 500_000) * scale)),
  };
  const rounds = envInt('BENCH_ROUNDS', 3);
  const dir = options.tempDir('commands');
  const texts = makeTexts(42);
  const c = workload.concurrency;

  const commands1: PhaseResult[] = [];
  const commandsN: PhaseResult[] = [];
  const store1: PhaseResult[] = [];
  const storeN: PhaseResult[] = [];
  const ratio1: number[] = [];
  const ratioN: number[] = [];
  const businessTime: PhaseResult[] = [];
  let templates: TicketTemplate[] = [];
  for (let r = 1; r <= rounds; r += 1) {
    for (const [callers, commands, appends, ratios] of [
      [1, commands1, store1, ratio1],
      [c, commandsN, storeN, ratioN],
    ] as const) {
      log(`round ${r}/${rounds}: commands and the store alone in turns, ${callers} caller(s) each`);
      const result = await commandsAgainstStore(dir, callers, workload, texts, templates);
      templates = result.templates;
      commands.push(result.commands);
      appends.push(result.store);
      ratios.push(result.ratio);
    }
    log(`round ${r}/${rounds}: addBusinessTime`);
    businessTime.push(businessTimePhase(workload.businessTimeOps, 1000 + r));
  }

  const templateAppends = templates.flat();
  const templateEvents = templateAppends.reduce((sum, a) => sum + a.length, 0);
  const templateBytes = templateAppends
    .flat()
    .reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)) + Buffer.byteLength(JSON.stringify(e.metadata ?? {})), 0);
  const eventsPerAppend = templateEvents / templateAppends.length;

  const cmd1 = medianFigure('commands1', 'commands, 1 caller', 'commands/s', commands1);
  const cmdN = medianFigure('commandsConcurrent', `commands, ${c} callers`, 'commands/s', commandsN);
  const st1 = medianFigure('store1', 'store alone, same appends, 1 appender', 'appends/s', store1);
  const stN = medianFigure('storeConcurrent', `store alone, same appends, ${c} appenders`, 'appends/s', storeN);
  const bt = medianFigure('addBusinessTime', 'addBusinessTime, 0..1 week, msk-weekdays', 'ops/s', businessTime);
  const figures: Figure[] = [
    cmd1,
    detailFigure('commands1P50', 'commands, 1 caller: latency p50', 'ms', cmd1, 'latencyP50Ms'),
    detailFigure('commands1P99', 'commands, 1 caller: latency p99', 'ms', cmd1, 'latencyP99Ms'),
    cmdN,
    detailFigure('commandsConcurrentP50', `commands, ${c} callers: latency p50`, 'ms', cmdN, 'latencyP50Ms'),
    detailFigure('commandsConcurrentP99', `commands, ${c} callers: latency p99`, 'ms', cmdN, 'latencyP99Ms'),
    {
      key: 'eventsPerCommand',
      label: 'events per command (whole ticket lives)',
      value: round(eventsPerAppend),
      unit: 'events',
      details: { events: templateEvents, appends: templateAppends.length, meanEventBytes: round(templateBytes / templateEvents) },
    },
    st1,
    stN,
    detailFigure('storeConcurrentP50', `store alone, ${c} appenders: latency p50`, 'ms', stN, 'latencyP50Ms'),
    detailFigure('storeConcurrentP99', `store alone, ${c} appenders: latency p99`, 'ms', stN, 'latencyP99Ms'),
    detailFigure('commandsConcurrentCpu', `CPU per command, ${c} callers`, 'µs', cmdN, 'cpuMicrosPerCommand'),
    detailFigure('storeConcurrentCpu', `CPU per append, store alone, ${c} appenders`, 'µs', stN, 'cpuMicrosPerAppend'),
    {
      key: 'ratioConcurrent',
      label: `commands/s ÷ appends/s, ${c} callers (median round)`,
      value: round(median(ratioN)),
      unit: 'ratio',
      details: { rounds: ratioN.map(round).join(', '), ofMedians: round(cmdN.value / stN.value) },
    },
    {
      key: 'ratio1',
      label: 'commands/s ÷ appends/s, 1 caller (no target)',
      value: round(median(ratio1)),
      unit: 'ratio',
      details: { rounds: ratio1.map(round).join(', '), ofMedians: round(cmd1.value / st1.value) },
    },
    bt,
  ];
  const targets: TargetCheck[] = [
    target('commandsVsStore', `commands/s ÷ store appends/s, ${c} callers`, median(ratioN), 0.7, 'ratio'),
    target('commandsConcurrent', `commands/s, ${c} callers`, cmdN.value, 10_000, 'commands/s'),
    target('addBusinessTime', 'addBusinessTime', bt.value, 200_000, 'ops/s'),
  ];
  return {
    name: 'commands',
    description: 'commands/s through the CommandBus on the embedded store, against the store alone',
    parameters: {
      ...workload,
      rounds,
      commandsPerTicket: COMMANDS_PER_TICKET,
      tiers: TIERS.join(', '),
      clock: `ManualClock from ${CLOCK_START}, +${CLOCK_STEP_MS} ms per command`,
      synchronous: 'FULL',
      templateTickets: templates.length,
      templateEventsPerAppend: round(eventsPerAppend),
      templateMeanEventBytes: round(templateBytes / templateEvents),
    },
    figures,
    targets,
    notes: [
      `Mix per ticket, sequential within a ticket: open (customer), change priority (agent, reason), assign, agent reply, await customer, customer reply, resolve; ${TIERS.join(' and ')} organizations, STAFF contacts, WEB channel.`,
      `The store alone replays ${templates.length} ticket lives recorded from the commands' warm-up (${round(eventsPerAppend)} events/append, ${round(templateBytes / templateEvents)} bytes/event of JSON) on new streams, with the same expected-revision sequence.`,
      `Clock: a ManualClock from ${CLOCK_START} (Monday 10:00 Moscow), +${CLOCK_STEP_MS} ms per command, so SLA arithmetic is the same whatever day the bench runs on (the system clock would make it depend on the weekday and hour).`,
      `Commands and the store alone run in alternating ${workload.sliceMs} ms turns (each on a fresh file, after a warm-up), so both meet the same load from the rest of the machine; a ratio is taken per round. Figures are the median of ${rounds} rounds (all rounds in the JSON).`,
      'A shared 2-core machine: absolute rates move with other load (and fsync latency with other writers); ratios are taken over the same turns.',
    ],
  };
}
