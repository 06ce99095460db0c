import { Query } from '@nestjs/cqrs';
import type { Actor, TicketState } from '@tracedesk/domain';

export interface TicketView {
  ticket: TicketState;
  revision: number;
}

/** A ticket's current state, folded from its stream (the source of truth, not a projection). */
export class GetTicketQuery extends Query<TicketView | null> {
  constructor(
    readonly ticketId: string,
    readonly actor: Actor,
  ) {
    super();
  }
}
