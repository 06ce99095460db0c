import { Inject } from '@nestjs/common';
import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { ID_PATTERN, verifyChain, type Runtime } from '@tracedesk/application';
import { evolveTicket, initialTicketState, ticketStream, type TicketDeciderState, type TicketEvent } from '@tracedesk/domain';
import { StreamNotFoundError, type RecordedEvent } from '@tracedesk/event-store';
import { GatewayError } from '../errors.js';
import { RUNTIME } from './tokens.js';
import { toHistoryEntry } from './subscriptions.resolver.js';
import { GraphQLDateTime, HistoryVerification, Ticket, TicketHistoryEntry, toTicket } from './types.js';

const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

/** When the decision was taken (metadata), else when the store committed it. */
const occurredAt = (event: RecordedEvent): string => text(event.metadata['occurredAt'], event.recordedAt.toISOString());

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
    return events.map(toHistoryEntry);
  }

  @Query(() => Ticket, { nullable: true, description: 'The ticket folded up to a revision and/or a time (both inclusive); current without either.' })
  async ticketAsOf(
    @Args('id', { type: () => ID }) id: string,
    @Args('at', { type: () => GraphQLDateTime, nullable: true }) at?: Date,
    @Args('revision', { type: () => Int, nullable: true }) revision?: number,
  ): Promise<Ticket | null> {
    if (revision != null && revision < 0) throw new GatewayError('BAD_USER_INPUT', 'revision must be 0 or more', { field: 'revision' });
    const until = at ? at.toISOString() : null;
    let state: TicketDeciderState = initialTicketState();
    let last = -1;
    for (const event of await this.events(id)) {
      if (revision != null && event.revision > revision) break;
      // ISO times in one format compare as text.
      if (until !== null && new Date(occurredAt(event)).toISOString() > until) break;
      state = evolveTicket(state, event as unknown as TicketEvent);
      last = event.revision;
    }
    return state ? toTicket(state, last) : null;
  }

  @Query(() => HistoryVerification, {
    description: 'Recomputes the ticket\'s hash chain from its first event: revisions dense from 0, every event in its stream, each prevHash equal to the previous hash, each hash equal to the SHA-256 of the event\'s canonical form (docs/audit.md).',
  })
  async verifyTicketHistory(@Args('id', { type: () => ID }) id: string): Promise<HistoryVerification> {
    const events = await this.events(id);
    if (events.length === 0) throw new GatewayError('NOT_FOUND', `Ticket ${id} does not exist.`);
    return { ...verifyChain(ticketStream(id), events), hashChecked: true };
  }
}
