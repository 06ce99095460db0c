import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { TicketRef } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class CloseTicketCommand extends Command<TicketResult> implements TicketCommandMessage<TicketRef> {
  constructor(
    readonly input: TicketRef,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
