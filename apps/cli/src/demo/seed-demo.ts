import { CommandBus } from '@nestjs/cqrs';
import {
  AddContactCommand,
  AddInternalNoteCommand,
  AssignTicketCommand,
  AwaitCustomerCommand,
  ChangePriorityCommand,
  CloseTicketCommand,
  EscalateTicketCommand,
  ManualClock,
  OpenTicketCommand,
  RecordSlaAtRiskCommand,
  RecordSlaBreachCommand,
  RegisterOrganizationCommand,
  ReopenTicketCommand,
  ReplyToTicketCommand,
  ResolveTicketCommand,
  SAGA_CURSOR,
  startRuntime,
  WATCHER_ACTOR,
  type AppConfig,
  type CommandMeta,
  type Runtime,
  type TicketResult,
} from '@tracedesk/application';
import { DomainError, seededRandom, type Actor, type TicketState } from '@tracedesk/domain';
import { StreamNotFoundError } from '@tracedesk/event-store';
import type { Channel, Priority, SlaMetric } from '@tracedesk/sla';
import type { Logger } from 'pino';
import { pino } from 'pino';

/**
 * `npm run demo`: fills a data directory with organizations of every tier of the policy, their
 * contacts and a few hundred tickets in every state, through the real command handlers (so every
 * event is one the application writes), on a ManualClock that walks the last weeks of business
 * days in time order. The SLA deadline watcher's job is done inline at every step (breaches and
 * at-risk warnings when due), and the escalation saga's rule is applied to each breach at the
 * moment it happens, so the result is the same for the same seed and end time.
 */
export interface DemoOptions {
  config: AppConfig;
  /** Tickets to open (default 300). */
  tickets?: number;
  /** Days walked back from `now` (default 21). */
  days?: number;
  /** The end of the walk (default: the current minute). */
  now?: Date;
  seed?: number;
  /** Add to a store that already has events. */
  force?: boolean;
  logger?: Logger;
}

export interface DemoSummary {
  dataDir: string;
  from: string;
  to: string;
  organizations: Array<{ id: string; name: string; tier: string; contacts: number }>;
  tickets: number;
  commands: number;
  /** Commands the domain refused along the walk (e.g. a reply on a resolved ticket): nothing appended. */
  refused: number;
  events: string;
  ticketsByStatus: Record<string, number>;
  queue: { open: number; breached: number; atRisk: number; fine: number };
  breaches: number;
  escalated: number;
  customers: Array<{ organizationId: string; contactId: string; tier: string }>;
  ticketIds: string[];
}

export class DemoRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoRefusedError';
  }
}

const ORGANIZATIONS: Record<string, Array<[id: string, name: string]>> = {
  free: [['hobbyfilms', 'Hobby Films']],
  standard: [['northwind', 'Northwind Media'], ['bluebird', 'Bluebird Schools']],
  pro: [['acme', 'Acme Video'], ['umbrella', 'Umbrella Studios']],
  business: [['globex', 'Globex Broadcasting'], ['soylent', 'Soylent Streams']],
  enterprise: [['initech', 'Initech Television'], ['wayne', 'Wayne Media Group']],
};
const STAFF = [
  ['anna', 'Anna Petrova'],
  ['boris', 'Boris Ivanov'],
] as const;
const AGENTS = ['alice', 'bob', 'chen', 'dana', 'emil'];
const GROUPS = ['frontline', 'video', 'payments', 'platform'];
const PRIORITIES: readonly Priority[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
const TYPES = ['QUESTION', 'PROBLEM', 'SERVICE_REQUEST'] as const;
const TITLES = [
  'Video does not play in Safari',
  'Cannot log in after password reset',
  'Upload stops at 99 %',
  'How do I export viewer statistics?',
  'Payment declined for the annual plan',
  'Subtitles out of sync on the mobile app',
  'Live stream drops every few minutes',
  'Invoice shows a duplicate charge',
  'Add a second administrator to our account',
  'Embedded player shows a black screen',
];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Moscow is UTC+3 all year; the default policy's business hours are 08:00-20:00 there. */
const MSK_OFFSET = 3 * HOUR;

interface Customer {
  organizationId: string;
  tier: string;
  channels: Channel[];
  contacts: string[];
}

/** One ticket's walk: when it acts next and what it has done so far. */
interface Walk {
  n: number;
  id: string;
  customer: Actor;
  agent: Actor;
  nextAt: number;
  stepsLeft: number;
  ticket: TicketState | null;
  step: number;
  stalls: boolean;
}

/** Weekday business-hour instants (Moscow 08:00-20:00) between `from` and `to`. */
function businessOpenings(random: () => number, from: number, to: number, count: number): number[] {
  const days: number[] = [];
  for (let day = Math.floor((from + MSK_OFFSET) / DAY) * DAY; day < to; day += DAY) {
    const weekday = new Date(day).getUTCDay(); // a Moscow-local calendar day, as a UTC midnight
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  const openings: number[] = [];
  while (openings.length < count && days.length > 0) {
    const day = days[Math.floor(random() * days.length)]!;
    const at = day - MSK_OFFSET + 8 * HOUR + Math.floor(random() * 12 * 60) * MINUTE;
    if (at >= from && at < to) openings.push(at);
  }
  return openings.sort((a, b) => a - b);
}

async function ticketIdPrefix(runtime: Runtime): Promise<string> {
  for (let k = 1; ; k++) {
    const prefix = k === 1 ? 'DEMO' : `DEMO${k}`;
    try {
      await runtime.store.readStream(`ticket-${prefix}-0001`, { maxCount: 1 });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return prefix;
      throw error;
    }
  }
}

export async function seedDemo(options: DemoOptions): Promise<DemoSummary> {
  const end = Math.floor((options.now ?? new Date()).getTime() / MINUTE) * MINUTE;
  const days = options.days ?? 21;
  const start = end - days * DAY;
  const ticketCount = options.tickets ?? 300;
  const random = seededRandom(options.seed ?? 2026);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const clock = new ManualClock(new Date(start - DAY));
  const logger = options.logger ?? pino({ level: 'warn' });
  // The watcher and saga are emulated inline (deterministic); projections run as usual.
  const runtime = await startRuntime(options.config, { watcher: false, saga: false, clock, logger });
  try {
    const head = await runtime.store.headPosition();
    if (head > 0n && !options.force) {
      throw new DemoRefusedError(
        `${options.config.dataDir} already holds events (log position ${head}); the demo fills a fresh data dir. ` +
          'Use another DATA_DIR, or --force to add the demo data to this one.',
      );
    }
    const bus = runtime.app.get(CommandBus);
    let commands = 0;
    let refused = 0;
    let escalated = 0;
    const send = async <T>(command: Parameters<CommandBus['execute']>[0]): Promise<T | null> => {
      commands++;
      try {
        return (await bus.execute(command)) as T;
      } catch (error) {
        if (error instanceof DomainError) {
          refused++;
          return null;
        }
        throw error;
      }
    };

    // Organizations of every tier the policy has, each with staff and a distributor.
    const admin: CommandMeta = { actor: { id: 'demo-admin', role: 'admin' } };
    const organizations: DemoSummary['organizations'] = [];
    const customers: Customer[] = [];
    const tiers = Object.keys(runtime.policy.tiers);
    for (const tier of tiers) {
      const named = ORGANIZATIONS[tier] ?? [[`${tier}-customer`, `${tier[0]!.toUpperCase()}${tier.slice(1)} Customer`]];
      for (const [id, name] of named) {
        const exists = await runtime.store.readStream(`organization-${id}`, { maxCount: 1 }).then(
          () => true,
          (error: unknown) => {
            if (error instanceof StreamNotFoundError) return false;
            throw error;
          },
        );
        if (!exists) await bus.execute(new RegisterOrganizationCommand({ id, name, tier }, admin));
        const contacts: string[] = [];
        for (const [first, full] of STAFF) {
          const contactId = `${id}-${first}`;
          // Refused only when already there (--force on a filled dir): usable either way.
          await send(new AddContactCommand({ organizationId: id, contactId, name: full, email: `${first}@${id}.example`, kind: 'STAFF' }, admin));
          contacts.push(contactId);
        }
        await send(new AddContactCommand({ organizationId: id, contactId: `${id}-partner`, name: `Partner of ${name}`, email: `support@partner-of-${id}.example`, kind: 'DISTRIBUTOR' }, admin));
        organizations.push({ id, name, tier, contacts: STAFF.length + 1 });
        const channels = [...(runtime.policy.tiers[tier]?.channels ?? [])] as Channel[];
        if (channels.length > 0) customers.push({ organizationId: id, tier, channels, contacts });
      }
    }
    if (customers.length === 0) throw new DemoRefusedError('the SLA policy has no tier with a ticket channel');

    // Tickets opened at business-hour instants over the window, walked in global time order.
    const prefix = await ticketIdPrefix(runtime);
    const openings = businessOpenings(random, start, end, ticketCount);
    const walks: Walk[] = openings.map((at, n) => {
      const customer = pick(customers);
      return {
        n,
        id: `${prefix}-${String(n + 1).padStart(4, '0')}`,
        customer: { id: pick(customer.contacts), role: 'customer', organizationId: customer.organizationId },
        agent: { id: pick(AGENTS), role: 'agent' },
        nextAt: at,
        // Some tickets are never touched after opening (they breach); most get a few steps.
        // Some tickets are never touched after opening and some stall half-way (they breach);
        // the others are worked to resolution and mostly closed.
        stepsLeft: random() < 0.08 ? 0 : 2 + Math.floor(random() * 8),
        stalls: random() < 0.12,
        ticket: null,
        step: -1,
      };
    });
    const channelsOf = new Map(customers.map((c) => [c.organizationId, c.channels]));

    /** The watcher's view at `now`: record breaches and at-risk warnings that are due. */
    const watch = async (now: number): Promise<void> => {
      const iso = new Date(now).toISOString();
      for (const walk of walks) {
        const ticket = walk.ticket;
        if (!ticket || ticket.status === 'CLOSED') continue;
        for (const clock of Object.values(ticket.clocks)) {
          if (clock.status !== 'RUNNING') continue;
          const metric = clock.metric as SlaMetric;
          if (clock.dueAt !== null && clock.dueAt <= iso) {
            clockAt(clock.dueAt);
            await act(walk, new RecordSlaBreachCommand({ ticketId: walk.id, metric }, { actor: WATCHER_ACTOR }), true);
          } else if (clock.warnAt !== null && clock.atRiskAt === null && clock.warnAt <= iso) {
            clockAt(clock.warnAt);
            await act(walk, new RecordSlaAtRiskCommand({ ticketId: walk.id, metric }, { actor: WATCHER_ACTOR }), false);
          }
        }
      }
      clock.set(new Date(now));
    };
    // The watcher would notice a due clock within its interval: record it at (just after) its due time.
    const clockAt = (iso: string): void => {
      const at = Date.parse(iso) + 1000;
      if (at > clock.now().getTime()) clock.set(new Date(at));
    };
    /** Sends a ticket command, keeps the ticket's state, applies the saga's rule to new breaches. */
    const act = async (walk: Walk, command: Parameters<CommandBus['execute']>[0], breach: boolean): Promise<void> => {
      const before = walk.ticket ? (walk.ticket.breachCount ?? 0) : 0;
      const result = await send<TicketResult>(command);
      if (!result) return;
      walk.ticket = result.ticket;
      if (breach && result.ticket.breachCount > before) {
        const events = await runtime.store.readStream(`ticket-${walk.id}`, { direction: 'backwards', maxCount: 4 });
        for (const event of events.reverse()) {
          if (event.type !== 'SlaClockBreached') continue;
          await runtime.saga.handle(event);
          const after = await runtime.store.readStream(`ticket-${walk.id}`, { direction: 'backwards', maxCount: 1 });
          if (after[0]?.type === 'TicketEscalated' && after[0].metadata['causationId'] === event.id) escalated++;
        }
      }
    };

    const watchEvery = 30 * MINUTE;
    let lastWatch = start;
    for (;;) {
      let next: Walk | undefined;
      for (const walk of walks) if (walk.nextAt <= end && (!next || walk.nextAt < next.nextAt)) next = walk;
      if (!next) break;
      // The watcher ticks over the time that passed, then the ticket's next step happens.
      while (lastWatch + watchEvery <= next.nextAt) {
        lastWatch += watchEvery;
        await watch(lastWatch);
      }
      clock.set(new Date(next.nextAt));
      await stepTicket(next);
      next.step++;
      const done = next.stalls ? next.stepsLeft-- <= 0 : next.stepsLeft-- <= -2;
      if (next.ticket === null || next.ticket.status === 'CLOSED' || done) next.nextAt = Number.POSITIVE_INFINITY;
      else next.nextAt = next.nextAt + nextDelay(next.ticket);
    }
    await watch(end);

    function nextDelay(ticket: TicketState): number {
      // Urgent tickets move faster; a resolved ticket waits a day or two for the customer.
      if (ticket.status === 'RESOLVED') return DAY + Math.floor(random() * DAY);
      const scale = ticket.priority === 'CRITICAL' ? 0.5 : ticket.priority === 'HIGH' ? 1 : 2;
      return Math.floor((10 * MINUTE + random() * 5 * HOUR) * scale);
    }

    async function stepTicket(walk: Walk): Promise<void> {
      const { id: ticketId, customer, agent } = walk;
      if (walk.step === -1) {
        const channels = channelsOf.get(customer.organizationId!) ?? ['WEB'];
        const result = await send<TicketResult>(
          new OpenTicketCommand(
            {
              channel: pick(channels),
              type: pick(TYPES),
              title: pick(TITLES),
              description: 'What we do: open the page and press play. What we expect: the video. What we get: a black screen and error 0x42 in the console.',
              requestedPriority: pick(PRIORITIES),
            },
            { actor: customer },
            ticketId,
          ),
        );
        walk.ticket = result?.ticket ?? null;
        return;
      }
      const ticket = walk.ticket!;
      const byAgent = { actor: agent };
      const r = random();
      if (walk.step === 0) {
        // Triage: assign, sometimes with a priority change.
        if (r < 0.35) await act(walk, new ChangePriorityCommand({ ticketId, priority: pick(PRIORITIES), reason: 'Triage: impact confirmed with the customer' }, byAgent), false);
        await act(walk, new AssignTicketCommand({ ticketId, assigneeId: agent.id, group: pick(GROUPS) }, byAgent), false);
        return;
      }
      switch (ticket.status) {
        case 'RESOLVED':
          if (r < 0.2) await act(walk, new ReopenTicketCommand({ ticketId, reason: 'It happens again since this morning' }, { actor: customer }), false);
          else await act(walk, new CloseTicketCommand({ ticketId }, byAgent), false);
          return;
        case 'AWAITING_CUSTOMER':
          await act(walk, new ReplyToTicketCommand({ ticketId, body: 'Here is the screenshot and the console log.' }, { actor: customer }), false);
          return;
        default:
          // A worked ticket's last steps resolve it (then close or reopen it above).
          if (!walk.stalls && walk.stepsLeft <= 0) await act(walk, new ResolveTicketCommand({ ticketId, resolution: 'Fixed: the CDN cache was cleared and the player updated.' }, byAgent), false);
          else if (ticket.firstRespondedAt === null || r < 0.25) await act(walk, new ReplyToTicketCommand({ ticketId, body: 'Thank you, we are looking into it.' }, byAgent), false);
          else if (r < 0.4) await act(walk, new AwaitCustomerCommand({ ticketId, body: 'Could you send a screenshot and the browser version?' }, byAgent), false);
          else if (r < 0.5) await act(walk, new AddInternalNoteCommand({ ticketId, body: 'Looks like the CDN edge in Frankfurt.' }, byAgent), false);
          else if (r < 0.58) await act(walk, new EscalateTicketCommand({ ticketId, level: ticket.escalationLevel >= 2 ? 3 : 2, reason: 'Needs the technical team' }, byAgent), false);
          else if (r < 0.65) await act(walk, new ReplyToTicketCommand({ ticketId, body: 'Any news? This blocks our release.' }, { actor: customer }), false);
          else await act(walk, new ResolveTicketCommand({ ticketId, resolution: 'Fixed: the CDN cache was cleared and the player updated.' }, byAgent), false);
      }
    }

    // Projections: wait until they have applied everything, and let the real saga start after it.
    const last = await runtime.store.headPosition();
    if (!(await runtime.runner.waitFor(last, 120_000))) throw new Error('the projections did not catch up within 2 minutes');
    await runtime.readModels.setCursor(SAGA_CURSOR, last);

    const ticketsByStatus: Record<string, number> = {};
    for await (const row of runtime.readModels.facts.openedBefore(new Date(end + DAY).toISOString())) {
      if (!row.ticketId.startsWith(`${prefix}-`)) continue;
      ticketsByStatus[row.status] = (ticketsByStatus[row.status] ?? 0) + 1;
    }
    const queue = { open: 0, breached: 0, atRisk: 0, fine: 0 };
    for (let after: string | null = null; ; ) {
      const page = await runtime.readModels.queue.find({}, { first: 500, ...(after && { after }) });
      for (const row of page.rows) {
        queue.open++;
        if (row.breached) queue.breached++;
        else if (row.atRisk) queue.atRisk++;
        else queue.fine++;
      }
      if (!page.hasNextPage || !page.endCursor) break;
      after = page.endCursor;
    }
    const breaches = (await runtime.readModels.breaches.find({}, { first: 1 })).totalCount;
    return {
      dataDir: options.config.dataDir,
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      organizations,
      tickets: walks.filter((w) => w.ticket !== null).length,
      commands,
      refused,
      events: last.toString(),
      ticketsByStatus,
      queue,
      breaches,
      escalated,
      customers: customers.map((c) => ({ organizationId: c.organizationId, contactId: c.contacts[0]!, tier: c.tier })),
      ticketIds: walks.map((w) => w.id),
    };
  } finally {
    await runtime.close();
  }
}
