import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { ResolveTicketInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { ResolveTicketCommand } from './resolve-ticket.command.js';

@CommandHandler(ResolveTicketCommand)
export class ResolveTicketHandler implements ICommandHandler<ResolveTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: ResolveTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, ResolveTicketInput, command, (i) => ({ type: 'ResolveTicket', ticketId: i.ticketId, resolution: i.resolution }));
  }
}
