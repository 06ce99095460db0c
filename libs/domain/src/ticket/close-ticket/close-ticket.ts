import { ruleViolation } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireRole, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';

/** Closes a resolved ticket for good: after this, a new request is a new ticket. */
export function closeTicket(
  command: Extract<TicketCommand, { type: 'CloseTicket' }>,
  state: TicketDeciderState,
  { actor, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireRole(actor, ['agent', 'supervisor', 'customer'], 'close tickets');
  requireNotClosed(state);
  if (state.status !== 'RESOLVED') {
    throw ruleViolation('NOT_RESOLVED', `Ticket ${state.id} is ${state.status}; resolve it before closing it.`);
  }
  return [{ type: 'TicketClosed', data: { at: now.toISOString() } }];
}
