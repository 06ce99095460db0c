import { requireText } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireStaff, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';

/** Assigns to an agent in a group; assigning to who already has it records nothing. */
export function assignTicket(
  command: Extract<TicketCommand, { type: 'AssignTicket' }>,
  state: TicketDeciderState,
  { actor, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireStaff(actor, 'assign tickets');
  requireNotClosed(state);
  const assigneeId = requireText(command.assigneeId, 'assigneeId');
  const group = requireText(command.group, 'group');
  if (assigneeId === state.assigneeId && group === state.group) return [];
  return [
    {
      type: 'TicketAssigned',
      data: { assigneeId, group, previousAssigneeId: state.assigneeId, previousGroup: state.group, at: now.toISOString() },
    },
  ];
}
