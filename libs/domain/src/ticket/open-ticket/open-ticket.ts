import { tierChannels } from '@tracedesk/sla';
import { isStaffRole } from '../../shared/actor.js';
import { badInput, forbidden, notFound, ruleViolation, requireText } from '../../shared/domain-error.js';
import { DEFAULT_PRIORITY, type TicketCommand, type TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { slaFor, startClock } from '../sla-clocks.js';

/**
 * Opens a ticket for a staff contact of a customer organization, on a channel its tier has.
 * Customers open for themselves; agents open on a contact's behalf (e.g. a phone call).
 * The tier, its calendar and the policy version are snapshotted on the ticket.
 */
export function openTicket(
  command: Extract<TicketCommand, { type: 'OpenTicket' }>,
  state: TicketDeciderState,
  context: TicketContext,
): TicketEvent[] {
  const { actor, policy, now } = context;
  if (state) throw ruleViolation('TICKET_EXISTS', `Ticket ${command.ticketId} already exists.`);

  let organizationId = command.organizationId;
  let contactId = command.contactId;
  if (actor.role === 'customer') {
    if (!actor.organizationId) throw forbidden('NO_ORGANIZATION', 'Your token names no organization.');
    if (organizationId !== undefined && organizationId !== actor.organizationId) {
      throw forbidden('OTHER_ORGANIZATION', 'You can only open tickets for your own organization.');
    }
    if (contactId !== undefined && contactId !== actor.id) {
      throw forbidden('OTHER_CONTACT', 'You can only open tickets as yourself.');
    }
    organizationId = actor.organizationId;
    contactId = actor.id;
  } else if (isStaffRole(actor.role)) {
    if (!organizationId || !contactId) {
      throw badInput('CONTACT_REQUIRED', 'An agent opening a ticket on behalf of a customer must give organizationId and contactId.');
    }
  } else {
    throw forbidden('ROLE_NOT_ALLOWED', `A ${actor.role} cannot open tickets.`);
  }

  const organization = context.organization;
  if (!organization?.registered || organization.id !== organizationId) {
    throw notFound('ORGANIZATION_NOT_FOUND', `Organization "${organizationId}" does not exist.`);
  }
  const contact = organization.contacts[contactId];
  if (!contact?.active) {
    throw ruleViolation('NOT_A_CONTACT', `"${contactId}" is not a contact of ${organization.name}; an administrator must add it first.`);
  }
  if (contact.kind !== 'STAFF') {
    throw ruleViolation(
      'DISTRIBUTOR_NOT_SUPPORTED',
      `Support is for ${organization.name}'s own staff; "${contactId}" is a distributor contact and cannot open tickets.`,
    );
  }
  const channels = tierChannels(policy, organization.tier);
  if (channels.length === 0) {
    throw ruleViolation(
      'TIER_HAS_NO_TICKETS',
      `The ${organization.tier} tier has self-service support only (knowledge base); upgrade the plan to open tickets.`,
    );
  }
  if (!channels.includes(command.channel)) {
    throw ruleViolation(
      'CHANNEL_NOT_IN_TIER',
      `The ${organization.tier} tier does not include ${command.channel} support; its channels are ${channels.join(', ')}.`,
    );
  }

  const priority = command.requestedPriority ?? DEFAULT_PRIORITY;
  const sla = slaFor(policy, organization.tier, priority);
  const at = now.toISOString();
  const opened: TicketEvent = {
    type: 'TicketOpened',
    data: {
      ticketId: command.ticketId,
      organizationId: organization.id,
      contactId: contact.contactId,
      openedBy: actor.id,
      channel: command.channel,
      type: command.ticketType,
      title: requireText(command.title, 'title'),
      description: requireText(command.description, 'description'),
      priority,
      requestedPriority: command.requestedPriority ?? null,
      tier: organization.tier,
      calendar: sla.calendarName,
      policyVersion: policy.version,
      at,
    },
  };
  const ticket = { organizationId: organization.id, tier: organization.tier, priority, assigneeId: null, group: null };
  return [
    opened,
    ...startClock(ticket, policy, 'FIRST_RESPONSE', 1, at, now),
    ...startClock(ticket, policy, 'RESOLUTION', 1, at, now),
  ];
}
