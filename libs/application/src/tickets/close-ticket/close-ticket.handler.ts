import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { TicketRef } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { CloseTicketCommand } from './close-ticket.command.js';

@CommandHandler(CloseTicketCommand)
export class CloseTicketHandler implements ICommandHandler<CloseTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: CloseTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, TicketRef, command, (i) => ({ type: 'CloseTicket', ticketId: i.ticketId }));
  }
}
