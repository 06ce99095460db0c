import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
  decideTicket,
  evolveOrganization,
  evolveTicket,
  initialOrganizationState,
  initialTicketState,
  organizationStream,
  ticketStream,
  type TicketDeciderState,
  type TicketEvent,
} from '@tracedesk/domain';
import { StreamProcessor } from '../../shared/stream-processor.js';
import { validateInput } from '../../shared/validate-input.js';
import { OpenTicketInput } from '../ticket.inputs.js';
import type { TicketResult } from '../ticket-command-handler.js';
import { OpenTicketCommand } from './open-ticket.command.js';
import { newTicketId } from './ticket-id.js';

const MAX_ID_ATTEMPTS = 5;

@CommandHandler(OpenTicketCommand)
export class OpenTicketHandler implements ICommandHandler<OpenTicketCommand> {
  constructor(private readonly processor: StreamProcessor) {}

  async execute(command: OpenTicketCommand): Promise<TicketResult> {
    const input = validateInput(OpenTicketInput, command.input);
    const { actor } = command.meta;
    const organizationId = actor.role === 'customer' ? (input.organizationId ?? actor.organizationId) : input.organizationId;
    for (let attempt = 1; ; attempt++) {
      const ticketId = command.ticketId ?? newTicketId();
      try {
        const result = await this.processor.process<TicketDeciderState, TicketEvent>({
          streamId: ticketStream(ticketId),
          evolve: evolveTicket,
          initial: initialTicketState,
          meta: command.meta,
          commandType: 'OpenTicket',
          decide: async (state, now, policy) => {
            // Read inside the retry loop: the organization's contacts decide who may open.
            const organization = organizationId
              ? (await this.processor.load(organizationStream(organizationId), evolveOrganization, initialOrganizationState)).state
              : undefined;
            return decideTicket(
              {
                type: 'OpenTicket',
                ticketId,
                channel: input.channel,
                ticketType: input.type,
                title: input.title,
                description: input.description,
                ...(input.organizationId !== undefined && { organizationId: input.organizationId }),
                ...(input.contactId !== undefined && { contactId: input.contactId }),
                ...(input.requestedPriority !== undefined && { requestedPriority: input.requestedPriority }),
              },
              state,
              { now, policy, actor, ...(organization && { organization }) },
            );
          },
        });
        return { ticket: result.state!, revision: result.revision, position: result.position.toString() };
      } catch (error) {
        // A generated id that is already taken: draw another.
        const collision = error instanceof DomainError && error.rule === 'TICKET_EXISTS';
        if (!collision || command.ticketId !== undefined || attempt >= MAX_ID_ATTEMPTS) throw error;
      }
    }
  }
}
