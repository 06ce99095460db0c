import { businessTimeBetween } from '@tracedesk/sla';
import { requireText, ruleViolation } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireStaff, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { calendarNamed, meetClock, pausedBusinessMs } from '../sla-clocks.js';
import { agentAnswered } from '../reply-to-ticket/reply-to-ticket.js';

/**
 * Resolves with a resolution the customer sees: it also counts as the answer to any pending
 * first or next response, and meets the resolution clock. The business time to resolution
 * (without the paused intervals) is recorded for reports.
 */
export function resolveTicket(
  command: Extract<TicketCommand, { type: 'ResolveTicket' }>,
  state: TicketDeciderState,
  context: TicketContext,
): TicketEvent[] {
  const { actor, policy, now } = context;
  requireTicket(state, command.ticketId, actor);
  requireStaff(actor, 'resolve tickets');
  requireNotClosed(state);
  if (state.status === 'RESOLVED') throw ruleViolation('ALREADY_RESOLVED', `Ticket ${state.id} is already resolved.`);
  const resolution = requireText(command.resolution, 'resolution');
  const calendar = calendarNamed(policy, state.calendar);
  const paused = pausedBusinessMs(calendar, state.pauses, now);
  const total = Math.max(0, businessTimeBetween(calendar, new Date(state.openedAt), now));
  return [
    ...agentAnswered(state, context),
    ...meetClock(state, policy, 'RESOLUTION', now),
    {
      type: 'TicketResolved',
      data: { resolution, resolutionBusinessMs: Math.max(0, total - paused), pausedBusinessMs: paused, at: now.toISOString() },
    },
  ];
}
