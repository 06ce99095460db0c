import { Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  AddInternalNoteCommand,
  AssignTicketCommand,
  AwaitCustomerCommand,
  ChangePriorityCommand,
  CloseTicketCommand,
  EscalateTicketCommand,
  GetTicketQuery,
  OpenTicketCommand,
  ReopenTicketCommand,
  ReplyToTicketCommand,
  ResolveTicketCommand,
  type CommandMeta,
  type Runtime,
} from '@tracedesk/application';
import type { Actor } from '@tracedesk/domain';
import { CurrentActor, Meta } from '../auth/auth.js';
import {
  AssignTicketInput,
  ChangePriorityInput,
  CloseTicketInput,
  EscalateTicketInput,
  OpenTicketInput,
  ReopenTicketInput,
  ResolveTicketInput,
  TicketBodyInput,
} from './inputs.js';
import { waitForPosition } from './read-your-writes.js';
import { RUNTIME } from './tokens.js';
import { Ticket, TicketResult, toTicket, toTicketResult } from './types.js';

/**
 * Tickets: the current state (folded from the event store, the source of truth) and every
 * ticket command. Resolvers only build commands; the handlers validate and decide.
 */
@Resolver(() => Ticket)
export class TicketResolver {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Query(() => Ticket, { nullable: true, description: 'Current state from the event store; null when missing or not yours.' })
  async ticket(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('atLeastPosition', { type: () => String, nullable: true }) atLeastPosition?: string,
  ): Promise<Ticket | null> {
    // The state comes from the event store (always current); the wait keeps the promise that
    // anything read after it (e.g. the queue) includes the caller's writes.
    await waitForPosition(this.runtime, atLeastPosition);
    const view = await this.queries.execute(new GetTicketQuery(id, actor));
    return view ? toTicket(view.ticket, view.revision) : null;
  }

  @Mutation(() => TicketResult)
  async openTicket(@Meta() meta: CommandMeta, @Args('input') input: OpenTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new OpenTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult, { description: 'A reason is required.' })
  async changePriority(@Meta() meta: CommandMeta, @Args('input') input: ChangePriorityInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new ChangePriorityCommand(input, meta)));
  }

  @Mutation(() => TicketResult)
  async assignTicket(@Meta() meta: CommandMeta, @Args('input') input: AssignTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new AssignTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult, { description: 'From staff: a public reply; from a customer: the customer\'s reply.' })
  async replyToTicket(@Meta() meta: CommandMeta, @Args('input') input: TicketBodyInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new ReplyToTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult)
  async addInternalNote(@Meta() meta: CommandMeta, @Args('input') input: TicketBodyInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new AddInternalNoteCommand(input, meta)));
  }

  @Mutation(() => TicketResult, { description: 'A public reply, then status AWAITING_CUSTOMER.' })
  async awaitCustomer(@Meta() meta: CommandMeta, @Args('input') input: TicketBodyInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new AwaitCustomerCommand(input, meta)));
  }

  @Mutation(() => TicketResult, { description: 'Level 1 frontline, 2 technical team, 3 head of support.' })
  async escalateTicket(@Meta() meta: CommandMeta, @Args('input') input: EscalateTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new EscalateTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult)
  async resolveTicket(@Meta() meta: CommandMeta, @Args('input') input: ResolveTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new ResolveTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult)
  async reopenTicket(@Meta() meta: CommandMeta, @Args('input') input: ReopenTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new ReopenTicketCommand(input, meta)));
  }

  @Mutation(() => TicketResult)
  async closeTicket(@Meta() meta: CommandMeta, @Args('input') input: CloseTicketInput): Promise<TicketResult> {
    return toTicketResult(await this.commands.execute(new CloseTicketCommand(input, meta)));
  }
}

