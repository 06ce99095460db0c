import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { SlaClockInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { RecordSlaAtRiskCommand } from './record-sla-at-risk.command.js';

@CommandHandler(RecordSlaAtRiskCommand)
export class RecordSlaAtRiskHandler implements ICommandHandler<RecordSlaAtRiskCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: RecordSlaAtRiskCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, SlaClockInput, command, (i) => ({ type: 'RecordSlaAtRisk', ticketId: i.ticketId, metric: i.metric }));
  }
}
