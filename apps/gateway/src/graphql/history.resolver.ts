import { Inject } from '@nestjs/common';
import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { ID_PATTERN, loadSealPublicKey, ticketAsOf, ticketHistoryEntries, verifyStreamHistory, type Runtime } from '@tracedesk/application';
import { ticketStream } from '@tracedesk/domain';
import { StreamNotFoundError, type RecordedEvent } from '@tracedesk/event-store';
import { GatewayError } from '../errors.js';
import { RUNTIME } from './tokens.js';
import { GraphQLDateTime, HistoryVerification, Ticket, TicketHistoryEntry, toTicket } from './types.js';

/** Auditors' view of a ticket's stream: the events, a state as of a revision or time, a check. */
@Resolver()
export class HistoryResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  private async events(id: string): Promise<RecordedEvent[]> {
    if (!ID_PATTERN.test(id)) return [];
    try {
      return await this.runtime.store.readStream(ticketStream(id));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  @Query(() => [TicketHistoryEntry], { description: 'Every event of the ticket, oldest first (auditor, supervisor).' })
  async ticketHistory(@Args('id', { type: () => ID }) id: string): Promise<TicketHistoryEntry[]> {
    const events = await this.events(id);
    return ticketHistoryEntries(events);
  }

  @Query(() => Ticket, { nullable: true, description: 'The ticket folded up to a revision and/or a time (both inclusive); current without either.' })
  async ticketAsOf(
    @Args('id', { type: () => ID }) id: string,
    @Args('at', { type: () => GraphQLDateTime, nullable: true }) at?: Date,
    @Args('revision', { type: () => Int, nullable: true }) revision?: number,
  ): Promise<Ticket | null> {
    if (revision != null && revision < 0) throw new GatewayError('BAD_USER_INPUT', 'revision must be 0 or more', { field: 'revision' });
    const { state, revision: last } = ticketAsOf(await this.events(id), { at: at ?? null, revision: revision ?? null });
    return state ? toTicket(state, last) : null;
  }

  @Query(() => HistoryVerification, {
    description:
      'Recomputes the ticket\'s hash chain from its first event (revisions dense from 0, each prevHash equal to the previous hash, each hash the SHA-256 of the event\'s canonical form), then checks it against the latest signed seal listing the ticket: a stream rewritten consistently no longer has the sealed hash at the sealed revision (docs/audit.md).',
  })
  async verifyTicketHistory(@Args('id', { type: () => ID }) id: string): Promise<HistoryVerification> {
    const result = ID_PATTERN.test(id) ? await verifyStreamHistory(this.runtime.store, ticketStream(id), loadSealPublicKey(this.runtime.config)) : null;
    if (!result) throw new GatewayError('NOT_FOUND', `Ticket ${id} does not exist.`);
    return { ...result, hashChecked: true };
  }
}
