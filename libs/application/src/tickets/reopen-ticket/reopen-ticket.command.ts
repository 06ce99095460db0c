import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { ReopenTicketInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class ReopenTicketCommand extends Command<TicketResult> implements TicketCommandMessage<ReopenTicketInput> {
  constructor(
    readonly input: ReopenTicketInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
