import type { ClassConstructor } from 'class-transformer';
import {
  decideTicket,
  evolveTicket,
  initialTicketState,
  notFound,
  ticketStream,
  type TicketCommand,
  type TicketDeciderState,
  type TicketEvent,
  type TicketState,
} from '@tracedesk/domain';
import type { CommandMeta } from '../shared/command-meta.js';
import type { StreamProcessor } from '../shared/stream-processor.js';
import { validateInput } from '../shared/validate-input.js';

/** What every ticket mutation returns (the API's TicketResult). */
export interface TicketResult {
  ticket: TicketState;
  revision: number;
  /** Global log position of the write, for read-your-writes queries. */
  position: string;
}

/** A ticket command as sent on the CommandBus: raw input (validated by the handler) and who sent it. */
export interface TicketCommandMessage<I> {
  readonly input: I;
  readonly meta: CommandMeta;
}

/**
 * The shared path of every ticket command handler: check the input's shape, then
 * load → decide → append through the StreamProcessor. Handlers only say how input maps to a
 * domain command.
 */
export async function runTicketCommand<I extends { ticketId: string }>(
  processor: StreamProcessor,
  inputType: ClassConstructor<I>,
  message: TicketCommandMessage<I>,
  toCommand: (input: I) => TicketCommand,
): Promise<TicketResult> {
  const input = validateInput(inputType, message.input);
  const command = toCommand(input);
  const result = await processor.process<TicketDeciderState, TicketEvent>({
    streamId: ticketStream(input.ticketId),
    evolve: evolveTicket,
    initial: initialTicketState,
    meta: message.meta,
    commandType: command.type,
    decide: (state, now, policy) => decideTicket(command, state, { now, policy, actor: message.meta.actor }),
  });
  if (!result.state) throw notFound('TICKET_NOT_FOUND', `Ticket ${input.ticketId} does not exist.`);
  return { ticket: result.state, revision: result.revision, position: result.position.toString() };
}
