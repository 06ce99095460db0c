import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { SlaClockInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { RecordSlaBreachCommand } from './record-sla-breach.command.js';

@CommandHandler(RecordSlaBreachCommand)
export class RecordSlaBreachHandler implements ICommandHandler<RecordSlaBreachCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: RecordSlaBreachCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, SlaClockInput, command, (i) => ({ type: 'RecordSlaBreach', ticketId: i.ticketId, metric: i.metric }));
  }
}
