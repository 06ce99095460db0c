import { Command } from '@nestjs/cqrs';
import type { CommandMeta } from '../../shared/command-meta.js';
import type { SlaClockInput } from '../ticket.inputs.js';
import type { TicketCommandMessage, TicketResult } from '../ticket-command-handler.js';

export class RecordSlaBreachCommand extends Command<TicketResult> implements TicketCommandMessage<SlaClockInput> {
  constructor(
    readonly input: SlaClockInput,
    readonly meta: CommandMeta,
  ) {
    super();
  }
}
