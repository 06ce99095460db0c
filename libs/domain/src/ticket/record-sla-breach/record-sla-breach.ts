import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireRole, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { breachIfDue } from '../sla-clocks.js';

/**
 * Sent by the deadline watcher, which may be late, early or repeat itself: the decider checks
 * that the clock is still running and really past due. Anything else records nothing.
 */
export function recordSlaBreach(
  command: Extract<TicketCommand, { type: 'RecordSlaBreach' }>,
  state: TicketDeciderState,
  { actor, policy, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireRole(actor, ['system'], 'record SLA breaches');
  const clock = state.clocks[command.metric];
  if (!clock || clock.status !== 'RUNNING' || state.status === 'CLOSED') return [];
  return breachIfDue(state, policy, clock, now);
}
