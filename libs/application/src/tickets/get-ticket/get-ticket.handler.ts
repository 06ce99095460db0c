import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { evolveTicket, initialTicketState, ticketStream } from '@tracedesk/domain';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { ID_PATTERN } from '../ticket.inputs.js';
import { GetTicketQuery, type TicketView } from './get-ticket.query.js';

@QueryHandler(GetTicketQuery)
export class GetTicketHandler implements IQueryHandler<GetTicketQuery> {
  constructor(private readonly processor: StreamProcessor) {}

  async execute(query: GetTicketQuery): Promise<TicketView | null> {
    if (!ID_PATTERN.test(query.ticketId)) return null;
    const { state, revision } = await this.processor.load(ticketStream(query.ticketId), evolveTicket, initialTicketState);
    if (!state) return null;
    // A customer sees only its own organization's tickets; others' look like missing ones.
    if (query.actor.role === 'customer' && query.actor.organizationId !== state.organizationId) return null;
    return { ticket: state, revision };
  }
}
