import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { ReopenTicketInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { ReopenTicketCommand } from './reopen-ticket.command.js';

@CommandHandler(ReopenTicketCommand)
export class ReopenTicketHandler implements ICommandHandler<ReopenTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: ReopenTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, ReopenTicketInput, command, (i) => ({ type: 'ReopenTicket', ticketId: i.ticketId, reason: i.reason }));
  }
}
