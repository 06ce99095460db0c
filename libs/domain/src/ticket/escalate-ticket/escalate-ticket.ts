import { badInput, forbidden, requireText, ruleViolation } from '../../shared/domain-error.js';
import { isStaffRole } from '../../shared/actor.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { EscalationLevel, TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState, TicketState } from '../ticket.state.js';

const KIND = { 1: 'FRONTLINE', 2: 'FUNCTIONAL', 3: 'HIERARCHICAL' } as const;
const LEVEL_NAME = { 1: 'the frontline lead', 2: 'the technical team', 3: 'the head of support' } as const;

/**
 * Escalates upwards only: to the frontline lead (1), the technical team (2, functional) or the
 * head of support (3, hierarchical). Staff escalate with a reason; a customer may ask for the
 * head of support only when its ticket got no first response in time (the seeds: "if a ticket
 * gets no answer, escalate to the head of the support department"); a policy rule escalates
 * as `system` (its actor id names the rule), and a rule asking for a level already reached records nothing.
 */
export function escalateTicket(
  command: Extract<TicketCommand, { type: 'EscalateTicket' }>,
  state: TicketDeciderState,
  { actor, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireNotClosed(state);
  const level = command.level;
  if (level !== 1 && level !== 2 && level !== 3) {
    throw badInput('INVALID_ESCALATION_LEVEL', 'The escalation level must be 1 (frontline), 2 (technical team) or 3 (head of support).');
  }
  if (state.status === 'RESOLVED') {
    throw ruleViolation('TICKET_RESOLVED', `Ticket ${state.id} is resolved; reopen it if the problem is back.`);
  }
  const reason = requireText(command.reason, 'reason');
  if (actor.role === 'system') {
    if (level <= state.escalationLevel) return [];
  } else if (actor.role === 'customer') {
    requireCustomerMayEscalate(state, level, now);
  } else if (!isStaffRole(actor.role)) {
    throw forbidden('ROLE_NOT_ALLOWED', `A ${actor.role} cannot escalate tickets.`);
  }
  if (level <= state.escalationLevel) {
    throw ruleViolation(
      'ESCALATION_NOT_UPWARD',
      `Ticket ${state.id} is already at level ${state.escalationLevel}; escalation goes upwards only.`,
    );
  }
  return [
    {
      type: 'TicketEscalated',
      data: {
        from: state.escalationLevel,
        to: level as EscalationLevel,
        kind: KIND[level],
        reason,
        rule: actor.role === 'system' ? actor.id : null,
        at: now.toISOString(),
      },
    },
  ];
}

function requireCustomerMayEscalate(state: TicketState, level: number, now: Date): void {
  if (level !== 3) {
    throw forbidden('CUSTOMER_ESCALATES_TO_HEAD', `Customers escalate to ${LEVEL_NAME[3]} (level 3) only.`);
  }
  const clock = state.clocks.FIRST_RESPONSE;
  const overdue =
    state.firstRespondedAt === null &&
    clock !== undefined &&
    (clock.status === 'BREACHED' || (clock.dueAt !== null && new Date(clock.dueAt).getTime() <= now.getTime()));
  if (!overdue) {
    const why = state.firstRespondedAt
      ? 'it has been answered'
      : clock?.dueAt
        ? `its first response is due ${clock.dueAt}`
        : 'it has no first-response target';
    throw ruleViolation(
      'ESCALATION_NOT_YET_ALLOWED',
      `You can escalate ticket ${state.id} to the head of support only when its first response is overdue; ${why}.`,
    );
  }
}
