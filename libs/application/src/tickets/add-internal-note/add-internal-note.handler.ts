import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { TicketBodyInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { AddInternalNoteCommand } from './add-internal-note.command.js';

@CommandHandler(AddInternalNoteCommand)
export class AddInternalNoteHandler implements ICommandHandler<AddInternalNoteCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: AddInternalNoteCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, TicketBodyInput, command, (i) => ({ type: 'AddInternalNote', ticketId: i.ticketId, body: i.body }));
  }
}
