import type { Actor, Role } from '../shared/actor.js';
import { forbidden, notFound, ruleViolation } from '../shared/domain-error.js';
import type { TicketState } from './ticket.state.js';

const STAFF: readonly Role[] = ['agent', 'supervisor'];

/** The ticket exists and the actor may see it; a customer of another organization is told it does not exist. */
export function requireTicket(state: TicketState | null, ticketId: string, actor: Actor): asserts state is TicketState {
  if (!state || (actor.role === 'customer' && actor.organizationId !== state.organizationId)) {
    throw notFound('TICKET_NOT_FOUND', `Ticket ${ticketId} does not exist.`);
  }
}

export function requireRole(actor: Actor, allowed: readonly Role[], action: string): void {
  if (!allowed.includes(actor.role)) {
    throw forbidden('ROLE_NOT_ALLOWED', `A ${actor.role} cannot ${action}.`);
  }
}

export const requireStaff = (actor: Actor, action: string): void => requireRole(actor, STAFF, action);

export function requireNotClosed(state: TicketState): void {
  if (state.status === 'CLOSED') {
    throw ruleViolation('TICKET_CLOSED', `Ticket ${state.id} is closed; open a new ticket for a new request.`);
  }
}
