import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { ChangePriorityInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class ChangePriorityCommand extends Command<TicketResult> implements TicketCommandMessage<ChangePriorityInput> {
  constructor(
    readonly input: ChangePriorityInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
