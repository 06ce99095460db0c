import { requireText } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireStaff, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';

/** A note for colleagues only: the customer never sees it, so it never meets an SLA. */
export function addInternalNote(
  command: Extract<TicketCommand, { type: 'AddInternalNote' }>,
  state: TicketDeciderState,
  { actor, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireStaff(actor, 'add internal notes');
  requireNotClosed(state);
  return [{ type: 'InternalNoteAdded', data: { authorId: actor.id, body: requireText(command.body, 'body'), at: now.toISOString() } }];
}
