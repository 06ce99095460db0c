import type { Decider } from '../shared/decider.js';
import { addInternalNote } from './add-internal-note/add-internal-note.js';
import { assignTicket } from './assign-ticket/assign-ticket.js';
import { awaitCustomer } from './await-customer/await-customer.js';
import { changePriority } from './change-priority/change-priority.js';
import { closeTicket } from './close-ticket/close-ticket.js';
import { escalateTicket } from './escalate-ticket/escalate-ticket.js';
import { openTicket } from './open-ticket/open-ticket.js';
import { recordSlaAtRisk } from './record-sla-at-risk/record-sla-at-risk.js';
import { recordSlaBreach } from './record-sla-breach/record-sla-breach.js';
import { reopenTicket } from './reopen-ticket/reopen-ticket.js';
import { replyToTicket } from './reply-to-ticket/reply-to-ticket.js';
import { resolveTicket } from './resolve-ticket/resolve-ticket.js';
import type { TicketCommand, TicketContext } from './ticket.commands.js';
import type { TicketEvent } from './ticket.events.js';
import { evolveTicket, initialTicketState, type TicketDeciderState } from './ticket.state.js';

export function decideTicket(command: TicketCommand, state: TicketDeciderState, context: TicketContext): TicketEvent[] {
  switch (command.type) {
    case 'OpenTicket':
      return openTicket(command, state, context);
    case 'ChangePriority':
      return changePriority(command, state, context);
    case 'AssignTicket':
      return assignTicket(command, state, context);
    case 'ReplyToTicket':
      return replyToTicket(command, state, context);
    case 'AddInternalNote':
      return addInternalNote(command, state, context);
    case 'AwaitCustomer':
      return awaitCustomer(command, state, context);
    case 'EscalateTicket':
      return escalateTicket(command, state, context);
    case 'ResolveTicket':
      return resolveTicket(command, state, context);
    case 'ReopenTicket':
      return reopenTicket(command, state, context);
    case 'CloseTicket':
      return closeTicket(command, state, context);
    case 'RecordSlaBreach':
      return recordSlaBreach(command, state, context);
    case 'RecordSlaAtRisk':
      return recordSlaAtRisk(command, state, context);
  }
}

export const ticketDecider: Decider<TicketCommand, TicketEvent, TicketDeciderState, TicketContext> = {
  decide: decideTicket,
  evolve: evolveTicket,
  initialState: initialTicketState,
};
