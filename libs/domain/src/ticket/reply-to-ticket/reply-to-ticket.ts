import { forbidden, requireText } from '../../shared/domain-error.js';
import { isStaffRole } from '../../shared/actor.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireTicket } from '../ticket.guards.js';
import { evolveTicket, type TicketDeciderState, type TicketState } from '../ticket.state.js';
import { meetClock, resumeClock, startNextResponse } from '../sla-clocks.js';
import { reopenEvents } from '../reopen-ticket/reopen-ticket.js';

/**
 * A public reply. From an agent it answers the customer: it meets the first-response clock
 * (the first time) and the running next-response clock. From the customer it resumes a ticket
 * that was waiting on them, reopens a resolved one, and starts the next-response clock.
 */
export function replyToTicket(
  command: Extract<TicketCommand, { type: 'ReplyToTicket' }>,
  state: TicketDeciderState,
  context: TicketContext,
): TicketEvent[] {
  const { actor, now } = context;
  requireTicket(state, command.ticketId, actor);
  requireNotClosed(state);
  const body = requireText(command.body, 'body');
  const at = now.toISOString();
  if (isStaffRole(actor.role)) {
    return [{ type: 'AgentReplied', data: { authorId: actor.id, body, at } }, ...agentAnswered(state, context)];
  }
  if (actor.role !== 'customer') throw forbidden('ROLE_NOT_ALLOWED', `A ${actor.role} cannot reply to tickets.`);

  const events: TicketEvent[] = [];
  let current: TicketState = state;
  const apply = (more: TicketEvent[]): void => {
    events.push(...more);
    for (const event of more) current = evolveTicket(current, event)!;
  };
  if (current.status === 'RESOLVED') apply(reopenEvents(current, context, 'The customer replied to the resolved ticket'));
  const wasAwaiting = current.status === 'AWAITING_CUSTOMER';
  apply([{ type: 'CustomerReplied', data: { authorId: actor.id, body, at } }]);
  if (wasAwaiting) apply(resumeClock(current, context.policy, 'RESOLUTION', now));
  apply(startNextResponse(current, context.policy, now));
  return events;
}

/** What an agent's public answer meets: first response, next response. */
export function agentAnswered(state: TicketState, { policy, now }: TicketContext): TicketEvent[] {
  return [...meetClock(state, policy, 'FIRST_RESPONSE', now), ...meetClock(state, policy, 'NEXT_RESPONSE', now)];
}
