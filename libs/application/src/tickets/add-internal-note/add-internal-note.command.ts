import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { TicketBodyInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class AddInternalNoteCommand extends Command<TicketResult> implements TicketCommandMessage<TicketBodyInput> {
  constructor(
    readonly input: TicketBodyInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
