import { Inject } from '@nestjs/common';
import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { ID_PATTERN, type Runtime } from '@tracedesk/application';
import { evolveTicket, initialTicketState, ticketStream, type TicketDeciderState, type TicketEvent } from '@tracedesk/domain';
import { StreamNotFoundError, type RecordedEvent } from '@tracedesk/event-store';
import { GatewayError } from '../errors.js';
import { RUNTIME } from './tokens.js';
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
    return events.map((event) => ({
      revision: event.revision,
      position: event.position.toString(),
      type: event.type,
      occurredAt: occurredAt(event),
      actorId: text(event.metadata['actorId']),
      actorRole: text(event.metadata['actorRole']),
      correlationId: typeof event.metadata['correlationId'] === 'string' ? event.metadata['correlationId'] : null,
      data: event.data,
      // No hash chain in the events yet (the audit issue adds it): "" says "not hashed".
      hash: text(event.metadata['hash']),
    }));
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
    description: 'Checks revisions are dense from 0 and every event belongs to the stream. Hashes are checked once events carry a hash chain.',
  })
  async verifyTicketHistory(@Args('id', { type: () => ID }) id: string): Promise<HistoryVerification> {
    const events = await this.events(id);
    if (events.length === 0) throw new GatewayError('NOT_FOUND', `Ticket ${id} does not exist.`);
    const stream = ticketStream(id);
    let previousPosition = -1n;
    for (const [index, event] of events.entries()) {
      const problem =
        event.revision !== index
          ? `expected revision ${index}, found ${event.revision}`
          : event.streamId !== stream
            ? `event belongs to ${event.streamId}`
            : event.position <= previousPosition
              ? 'log position does not increase'
              : index === 0 && event.type !== 'TicketOpened'
                ? `the first event is ${event.type}, not TicketOpened`
                : null;
      if (problem) return { ok: false, checkedEvents: index, firstBadRevision: index, problem, hashChecked: false };
      previousPosition = event.position;
    }
    return { ok: true, checkedEvents: events.length, firstBadRevision: null, problem: null, hashChecked: false };
  }
}
