import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { TicketBodyInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { ReplyToTicketCommand } from './reply-to-ticket.command.js';

@CommandHandler(ReplyToTicketCommand)
export class ReplyToTicketHandler implements ICommandHandler<ReplyToTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: ReplyToTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, TicketBodyInput, command, (i) => ({ type: 'ReplyToTicket', ticketId: i.ticketId, body: i.body }));
  }
}
