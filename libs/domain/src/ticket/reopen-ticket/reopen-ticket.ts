import { requireText, ruleViolation } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireRole, requireTicket } from '../ticket.guards.js';
import { evolveTicket, type TicketDeciderState, type TicketState } from '../ticket.state.js';
import { resumeClock } from '../sla-clocks.js';

/** Reopens a resolved ticket; the resolution clock resumes, the resolved interval not counted. */
export function reopenTicket(
  command: Extract<TicketCommand, { type: 'ReopenTicket' }>,
  state: TicketDeciderState,
  context: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, context.actor);
  requireRole(context.actor, ['agent', 'supervisor', 'customer'], 'reopen tickets');
  requireNotClosed(state);
  if (state.status !== 'RESOLVED') {
    throw ruleViolation('NOT_RESOLVED', `Ticket ${state.id} is ${state.status}, not resolved; only a resolved ticket can be reopened.`);
  }
  return reopenEvents(state, context, requireText(command.reason, 'reason'));
}

export function reopenEvents(state: TicketState, { policy, now }: TicketContext, reason: string): TicketEvent[] {
  const reopened: TicketEvent = { type: 'TicketReopened', data: { reason, at: now.toISOString() } };
  return [reopened, ...resumeClock(evolveTicket(state, reopened)!, policy, 'RESOLUTION', now)];
}
