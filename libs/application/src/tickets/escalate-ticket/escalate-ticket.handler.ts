import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { EscalateTicketInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { EscalateTicketCommand } from './escalate-ticket.command.js';

@CommandHandler(EscalateTicketCommand)
export class EscalateTicketHandler implements ICommandHandler<EscalateTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: EscalateTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, EscalateTicketInput, command, (i) => ({ type: 'EscalateTicket', ticketId: i.ticketId, level: i.level, reason: i.reason }));
  }
}
