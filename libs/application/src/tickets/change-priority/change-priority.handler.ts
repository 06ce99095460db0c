import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { ChangePriorityInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { ChangePriorityCommand } from './change-priority.command.js';

@CommandHandler(ChangePriorityCommand)
export class ChangePriorityHandler implements ICommandHandler<ChangePriorityCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: ChangePriorityCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, ChangePriorityInput, command, (i) => ({ type: 'ChangePriority', ticketId: i.ticketId, priority: i.priority, reason: i.reason }));
  }
}
