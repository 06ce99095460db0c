import type { Channel, Priority, SlaMetric, SlaPolicy } from '@tracedesk/sla';
import type { Actor } from '../shared/actor.js';
import type { OrganizationState } from '../organization/organization.state.js';
import type { EscalationLevel, TicketType } from './ticket.events.js';

export type TicketCommand =
  | {
      type: 'OpenTicket';
      ticketId: string;
      organizationId?: string;
      contactId?: string;
      channel: Channel;
      ticketType: TicketType;
      title: string;
      description: string;
      requestedPriority?: Priority;
    }
  | { type: 'ChangePriority'; ticketId: string; priority: Priority; reason: string }
  | { type: 'AssignTicket'; ticketId: string; assigneeId: string; group: string }
  | { type: 'ReplyToTicket'; ticketId: string; body: string }
  | { type: 'AddInternalNote'; ticketId: string; body: string }
  | { type: 'AwaitCustomer'; ticketId: string; body: string }
  | { type: 'EscalateTicket'; ticketId: string; level: EscalationLevel; reason: string }
  | { type: 'ResolveTicket'; ticketId: string; resolution: string }
  | { type: 'ReopenTicket'; ticketId: string; reason: string }
  | { type: 'CloseTicket'; ticketId: string }
  | { type: 'RecordSlaBreach'; ticketId: string; metric: SlaMetric }
  | { type: 'RecordSlaAtRisk'; ticketId: string; metric: SlaMetric };

export type TicketCommandType = TicketCommand['type'];

export interface TicketContext {
  now: Date;
  actor: Actor;
  policy: SlaPolicy;
  /** The ticket's organization; required to open a ticket. */
  organization?: OrganizationState;
}

/** The default priority when nobody proposed one: the seeds' "Medium" (P3). */
export const DEFAULT_PRIORITY: Priority = 'MEDIUM';
