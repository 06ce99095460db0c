/**
 * Test fixtures for the deciders: a small SLA policy with a real Moscow business calendar,
 * an organization with a staff and a distributor contact, actors of every role, and a
 * given / when / then helper over the pure decider.
 */
import { expect } from '@jest/globals';
import { parseSlaPolicy, type SlaPolicy } from '@tracedesk/sla';
import type { Actor } from '../shared/actor.js';
import { DomainError } from '../shared/domain-error.js';
import { fold } from '../shared/decider.js';
import { evolveOrganization, initialOrganizationState, type OrganizationState } from '../organization/organization.state.js';
import type { OrganizationEvent } from '../organization/organization.events.js';
import type { TicketCommand, TicketContext } from '../ticket/ticket.commands.js';
import type { TicketEvent } from '../ticket/ticket.events.js';
import { decideTicket } from '../ticket/ticket.decider.js';
import { evolveTicket, initialTicketState, type TicketDeciderState } from '../ticket/ticket.state.js';

export const policy: SlaPolicy = parseSlaPolicy({
  version: 'test-2026-11',
  calendars: {
    msk: {
      timeZone: 'Europe/Moscow',
      hours: { mon: [['08:00', '20:00']], tue: [['08:00', '20:00']], wed: [['08:00', '20:00']], thu: [['08:00', '20:00']], fri: [['08:00', '20:00']] },
      holidays: ['2027-01-01'],
    },
    always: { timeZone: 'UTC', hours: '24x7' },
  },
  tiers: {
    free: { channels: [] },
    pro: {
      channels: ['WEB', 'EMAIL'],
      calendar: 'msk',
      targets: {
        CRITICAL: { firstResponse: 'PT1H', resolution: 'PT8H' },
        HIGH: { firstResponse: 'PT4H', nextResponse: 'PT4H', resolution: 'PT24H' },
        MEDIUM: { firstResponse: 'PT8H', nextResponse: 'PT8H', resolution: 'PT40H' },
        LOW: { firstResponse: 'PT12H' },
      },
    },
    enterprise: {
      channels: ['WEB', 'EMAIL', 'CHAT', 'PHONE'],
      calendar: 'msk',
      calendarByPriority: { CRITICAL: 'always' },
      targets: {
        CRITICAL: { firstResponse: 'PT30M', nextResponse: 'PT1H', resolution: 'PT4H' },
        HIGH: { firstResponse: 'PT2H', resolution: 'PT16H' },
        MEDIUM: { firstResponse: 'PT4H' },
        LOW: { firstResponse: 'PT8H' },
      },
      onBreach: { FIRST_RESPONSE: { escalateTo: 3 } },
    },
  },
});

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/** Monday 2026-11-23, 10:00 Moscow time (UTC+3): inside business hours. */
export const MONDAY_10_MSK = new Date('2026-11-23T07:00:00.000Z');
export const at = (base: Date, ms: number): Date => new Date(base.getTime() + ms);

export const actors = {
  customer: { id: 'c-anna', role: 'customer', organizationId: 'acme' },
  otherCustomer: { id: 'c-boris', role: 'customer', organizationId: 'globex' },
  distributor: { id: 'c-dist', role: 'customer', organizationId: 'acme' },
  agent: { id: 'a-alice', role: 'agent' },
  supervisor: { id: 's-sam', role: 'supervisor' },
  auditor: { id: 'au-ann', role: 'auditor' },
  analyst: { id: 'an-ned', role: 'analyst' },
  admin: { id: 'ad-max', role: 'admin' },
  system: { id: 'sla-watcher', role: 'system' },
} satisfies Record<string, Actor>;

export function organization(tier = 'pro', id = 'acme'): OrganizationState {
  const events: OrganizationEvent[] = [
    { type: 'OrganizationRegistered', data: { organizationId: id, name: 'Acme Media', tier, at: '2026-01-01T00:00:00.000Z' } },
    {
      type: 'ContactAdded',
      data: { organizationId: id, contactId: 'c-anna', name: 'Anna', email: 'anna@acme.test', kind: 'STAFF', at: '2026-01-01T00:00:00.000Z' },
    },
    {
      type: 'ContactAdded',
      data: { organizationId: id, contactId: 'c-dist', name: 'Dist', email: 'sales@partner.test', kind: 'DISTRIBUTOR', at: '2026-01-01T00:00:00.000Z' },
    },
  ];
  return fold(evolveOrganization, initialOrganizationState(), events);
}

export function context(actor: Actor, now: Date, tier = 'pro'): TicketContext {
  return { actor, now, policy, organization: organization(tier) };
}

export const openCommand = (overrides: Partial<Extract<TicketCommand, { type: 'OpenTicket' }>> = {}): TicketCommand => ({
  type: 'OpenTicket',
  ticketId: 'T-100',
  channel: 'WEB',
  ticketType: 'PROBLEM',
  title: 'Video does not play',
  description: 'I press play, I expect the video, I get a black screen.',
  ...overrides,
});

/** A ticket's history built by running commands through the decider, as the app would. */
export class TicketScenario {
  readonly events: TicketEvent[] = [];
  constructor(readonly tier = 'pro') {}

  get state(): TicketDeciderState {
    return fold(evolveTicket, initialTicketState(), this.events);
  }

  run(command: TicketCommand, actor: Actor, now: Date): TicketEvent[] {
    const produced = decideTicket(command, this.state, context(actor, now, this.tier));
    this.events.push(...produced);
    return produced;
  }

  open(now: Date = MONDAY_10_MSK, overrides: Partial<Extract<TicketCommand, { type: 'OpenTicket' }>> = {}): this {
    this.run(openCommand(overrides), actors.customer, now);
    return this;
  }

  refused(command: TicketCommand, actor: Actor, now: Date): DomainError {
    const before = this.events.length;
    let error: unknown;
    try {
      decideTicket(command, this.state, context(actor, now, this.tier));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(this.events).toHaveLength(before);
    return error as DomainError;
  }
}

export const types = (events: TicketEvent[]): string[] => events.map((e) => e.type);
export const ofType = <T extends TicketEvent['type']>(events: TicketEvent[], type: T): Array<Extract<TicketEvent, { type: T }>> =>
  events.filter((e): e is Extract<TicketEvent, { type: T }> => e.type === type);
