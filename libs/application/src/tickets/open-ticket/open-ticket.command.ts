import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { OpenTicketInput } from '../ticket.inputs.js';
import type { TicketResult } from '../ticket-command-handler.js';

export class OpenTicketCommand extends Command<TicketResult> {
  constructor(
    readonly input: OpenTicketInput,
    readonly meta: CommandMeta,
    /** Fixed id (imports, tests); by default a new short id is generated. */
    readonly ticketId?: string,
  ) {
    super();
  }
}
