import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { EscalateTicketInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class EscalateTicketCommand extends Command<TicketResult> implements TicketCommandMessage<EscalateTicketInput> {
  constructor(
    readonly input: EscalateTicketInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
