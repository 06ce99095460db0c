import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { AssignTicketInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class AssignTicketCommand extends Command<TicketResult> implements TicketCommandMessage<AssignTicketInput> {
  constructor(
    readonly input: AssignTicketInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
