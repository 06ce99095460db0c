import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { TicketBodyInput } from '../ticket.inputs.js';
import { runTicketCommand, type TicketResult } from '../ticket-command-handler.js';
import { AwaitCustomerCommand } from './await-customer.command.js';

@CommandHandler(AwaitCustomerCommand)
export class AwaitCustomerHandler implements ICommandHandler<AwaitCustomerCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  execute(command: AwaitCustomerCommand): Promise<TicketResult> {
    return runTicketCommand(this.processor, TicketBodyInput, command, (i) => ({ type: 'AwaitCustomer', ticketId: i.ticketId, body: i.body }));
  }
}
