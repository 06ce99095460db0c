import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { AssignTicketInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { AssignTicketCommand } from './assign-ticket.command.js';

@CommandHandler(AssignTicketCommand)
export class AssignTicketHandler implements ICommandHandler<AssignTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: AssignTicketCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, AssignTicketInput, command, (i) => ({ type: 'AssignTicket', ticketId: i.ticketId, assigneeId: i.assigneeId, group: i.group }));
  }
}
