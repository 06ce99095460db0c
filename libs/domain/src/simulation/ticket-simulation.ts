import type { SlaPolicy } from '@tracedesk/sla';
import type { Actor } from '../shared/actor.js';
import { DomainError } from '../shared/domain-error.js';
import { fold } from '../shared/decider.js';
import type { OrganizationEvent } from '../organization/organization.events.js';
import { evolveOrganization, initialOrganizationState, type OrganizationState } from '../organization/organization.state.js';
import { decideTicket } from '../ticket/ticket.decider.js';
import type { TicketCommand } from '../ticket/ticket.commands.js';
import type { TicketEvent } from '../ticket/ticket.events.js';
import { evolveTicket, type TicketDeciderState } from '../ticket/ticket.state.js';

/**
 * Realistic ticket histories made by the real deciders (so every event is one the domain
 * would emit), for benchmarks, the demo and crash tests. Deterministic for a given seed.
 */
export interface SimulatedTicket {
  ticketId: string;
  events: Array<{ event: TicketEvent; actor: Actor; at: Date }>;
  state: TicketDeciderState;
}

export interface SimulatedOrganization {
  id: string;
  events: OrganizationEvent[];
  state: OrganizationState;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function simulateOrganizations(policy: SlaPolicy, tiers: readonly string[], perTier: number, at: Date): SimulatedOrganization[] {
  const result: SimulatedOrganization[] = [];
  for (const tier of tiers) {
    for (let i = 1; i <= perTier; i++) {
      const id = `${tier}-org-${i}`;
      const iso = at.toISOString();
      const events: OrganizationEvent[] = [
        { type: 'OrganizationRegistered', data: { organizationId: id, name: `${tier[0]!.toUpperCase()}${tier.slice(1)} Customer ${i}`, tier, at: iso } },
        { type: 'ContactAdded', data: { organizationId: id, contactId: `${id}-staff`, name: `Staff of ${id}`, email: `staff@${id}.example`, kind: 'STAFF', at: iso } },
        { type: 'ContactAdded', data: { organizationId: id, contactId: `${id}-distributor`, name: `Distributor of ${id}`, email: `partner@${id}.example`, kind: 'DISTRIBUTOR', at: iso } },
      ];
      result.push({ id, events, state: fold(evolveOrganization, initialOrganizationState(), events) });
    }
  }
  void policy;
  return result;
}

const PRIORITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
const TYPES = ['QUESTION', 'PROBLEM', 'SERVICE_REQUEST'] as const;
const GROUPS = ['frontline', 'video', 'payments', 'platform'];
const AGENTS = ['alice', 'bob', 'chen', 'dana', 'emil'];
const MINUTE = 60_000;

export interface SimulationOptions {
  policy: SlaPolicy;
  organizations: readonly SimulatedOrganization[];
  tickets: number;
  start: Date;
  /** Mean minutes between ticket openings. */
  spacingMinutes?: number;
  seed?: number;
  idPrefix?: string;
  /** Upper bound on commands per ticket (the walk may stop earlier, e.g. once closed). */
  maxSteps?: number;
}

export function simulateTickets(options: SimulationOptions): SimulatedTicket[] {
  const random = seededRandom(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const eligible = options.organizations.filter((o) => o.state.registered && o.state.tier !== 'free');
  const tickets: SimulatedTicket[] = [];
  let openedAt = options.start.getTime();
  for (let n = 0; n < options.tickets; n++) {
    openedAt += Math.round(random() * 2 * (options.spacingMinutes ?? 5) * MINUTE);
    const organization = pick(eligible);
    const org = organization.state as Extract<OrganizationState, { registered: true }>;
    const ticketId = `${options.idPrefix ?? 'SIM'}-${String(n).padStart(7, '0')}`;
    const customer: Actor = { id: `${org.id}-staff`, role: 'customer', organizationId: org.id };
    const agent: Actor = { id: pick(AGENTS), role: 'agent' };
    const system: Actor = { id: 'sla-watcher', role: 'system' };
    const ticket: SimulatedTicket = { ticketId, events: [], state: null };
    let now = new Date(openedAt);
    const run = (command: TicketCommand, actor: Actor): boolean => {
      try {
        const events = decideTicket(command, ticket.state, { now, actor, policy: options.policy, organization: org });
        for (const event of events) {
          ticket.events.push({ event, actor, at: now });
          ticket.state = evolveTicket(ticket.state, event);
        }
        return true;
      } catch (error) {
        if (error instanceof DomainError) return false;
        throw error;
      }
    };
    const channels = options.policy.tiers[org.tier]?.channels ?? ['WEB'];
    run(
      {
        type: 'OpenTicket',
        ticketId,
        channel: pick(channels),
        ticketType: pick(TYPES),
        title: `Simulated ticket ${n}: ${pick(['video does not play', 'cannot log in', 'upload fails', 'how do I export data', 'payment declined'])}`,
        description: 'What I do: press play. What I expect: the video. What I get instead: a black screen and error 0x42 in the console.',
        requestedPriority: pick(PRIORITIES),
      },
      customer,
    );
    const steps = 2 + Math.floor(random() * (options.maxSteps ?? 10));
    for (let step = 0; step < steps && ticket.state?.status !== 'CLOSED'; step++) {
      now = new Date(now.getTime() + Math.round(random() * 90 * MINUTE));
      // The watcher's view: breach what is due.
      for (const clock of Object.values(ticket.state!.clocks)) {
        if (clock.status === 'RUNNING' && clock.dueAt !== null && clock.dueAt <= now.toISOString()) {
          run({ type: 'RecordSlaBreach', ticketId, metric: clock.metric }, system);
        }
      }
      const r = random();
      const status = ticket.state!.status;
      if (status === 'RESOLVED') {
        if (r < 0.2) run({ type: 'ReopenTicket', ticketId, reason: 'It happens again' }, customer);
        else run({ type: 'CloseTicket', ticketId }, agent);
      } else if (r < 0.15) run({ type: 'AssignTicket', ticketId, assigneeId: pick(AGENTS), group: pick(GROUPS) }, agent);
      else if (r < 0.3) run({ type: 'ReplyToTicket', ticketId, body: 'We are looking into it.' }, agent);
      else if (r < 0.4) run({ type: 'ChangePriority', ticketId, priority: pick(PRIORITIES), reason: 'Triage' }, agent);
      else if (r < 0.5) run({ type: 'AwaitCustomer', ticketId, body: 'Could you send a screenshot?' }, agent);
      else if (r < 0.62) run({ type: 'ReplyToTicket', ticketId, body: 'Here is the screenshot.' }, customer);
      else if (r < 0.68) run({ type: 'AddInternalNote', ticketId, body: 'Looks like the CDN.' }, agent);
      else if (r < 0.74) run({ type: 'EscalateTicket', ticketId, level: (1 + Math.floor(random() * 3)) as 1 | 2 | 3, reason: 'Needs specialists' }, agent);
      else run({ type: 'ResolveTicket', ticketId, resolution: 'Fixed: cleared the CDN cache.' }, agent);
    }
    tickets.push(ticket);
  }
  return tickets;
}
