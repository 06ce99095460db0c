import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { ResolveTicketInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class ResolveTicketCommand extends Command<TicketResult> implements TicketCommandMessage<ResolveTicketInput> {
  constructor(
    readonly input: ResolveTicketInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
