import { requireText, ruleViolation } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireStaff, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { pauseClock } from '../sla-clocks.js';
import { agentAnswered } from '../reply-to-ticket/reply-to-ticket.js';

/**
 * A public reply that asks the customer for something: the ticket waits on them and the
 * resolution clock pauses until they answer (the seeds: resolution depends on the
 * information and cooperation the customer provides).
 */
export function awaitCustomer(
  command: Extract<TicketCommand, { type: 'AwaitCustomer' }>,
  state: TicketDeciderState,
  context: TicketContext,
): TicketEvent[] {
  const { actor, now } = context;
  requireTicket(state, command.ticketId, actor);
  requireStaff(actor, 'put a ticket on hold for the customer');
  requireNotClosed(state);
  if (state.status === 'RESOLVED') {
    throw ruleViolation('TICKET_RESOLVED', `Ticket ${state.id} is resolved; reopen it before asking the customer for more.`);
  }
  const at = now.toISOString();
  const events: TicketEvent[] = [
    { type: 'AgentReplied', data: { authorId: actor.id, body: requireText(command.body, 'body'), at } },
    ...agentAnswered(state, context),
  ];
  if (state.status !== 'AWAITING_CUSTOMER') {
    events.push({ type: 'TicketAwaitingCustomer', data: { at } }, ...pauseClock(state, 'RESOLUTION', now));
  }
  return events;
}
