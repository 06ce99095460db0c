import { Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { GetTicketQuery, ID_PATTERN, ticketHistoryEntries, type Runtime } from '@tracedesk/application';
import { TICKET_STREAM_PREFIX, ticketStream, type Actor } from '@tracedesk/domain';
import type { Position, RecordedEvent, Subscription as StoreSubscription } from '@tracedesk/event-store';
import { DEFAULT_QUEUE_STATUSES, type QueueRow } from '@tracedesk/read-models';
import { Gauge } from 'prom-client';
import { CurrentActor } from '../auth/auth.js';
import { GatewayError } from '../errors.js';
import { GatewayMetrics } from '../operations.js';
import { QueueFilter } from './inputs.js';
import { RUNTIME } from './tokens.js';
import { QueueItem, TicketHistoryEntry, toQueueItem } from './types.js';

/** Events a customer never sees of its own tickets (staff-only content). */
const STAFF_ONLY_EVENTS = new Set(['InternalNoteAdded']);
const POSITION = /^\d{1,30}$/;
/** How long queueChanged waits for the queue projection to apply an event before skipping it. */
const QUEUE_CATCH_UP_MS = 10_000;

/**
 * A recorded ticket event as `ticketHistory` shows it; `history` (the stream up to and including
 * the event) tells what the event changed.
 */
export function toHistoryEntry(event: RecordedEvent, history: readonly RecordedEvent[] = [event]): TicketHistoryEntry {
  const entries = ticketHistoryEntries([...history.filter((e) => e.revision < event.revision), event]);
  return entries[entries.length - 1]!;
}

/** Does a queue row pass a queue filter (the same rules as the read model's `find`)? */
export function matchesQueueFilter(row: QueueRow, filter: QueueFilterData): boolean {
  const statuses = filter.status ?? DEFAULT_QUEUE_STATUSES;
  if (!statuses.includes(row.status)) return false;
  if (filter.organizationId != null && row.organizationId !== filter.organizationId) return false;
  if (filter.priority != null && !filter.priority.includes(row.priority)) return false;
  if (filter.tier != null && !filter.tier.includes(row.tier)) return false;
  if (filter.group != null && row.group !== filter.group) return false;
  if (filter.assigneeId === null && row.assigneeId !== null) return false;
  if (filter.assigneeId != null && row.assigneeId !== filter.assigneeId) return false;
  if (filter.escalationLevel != null && row.escalationLevel !== filter.escalationLevel) return false;
  if (filter.breached != null && row.breached !== filter.breached) return false;
  if (filter.atRisk != null && row.atRisk !== filter.atRisk) return false;
  return true;
}

interface QueueFilterData {
  organizationId?: string | null;
  status?: readonly string[] | null;
  priority?: readonly string[] | null;
  tier?: readonly string[] | null;
  group?: string | null;
  assigneeId?: string | null;
  escalationLevel?: number | null;
  breached?: boolean | null;
  atRisk?: boolean | null;
}

/**
 * An async iterator over a store subscription that ends it as soon as the client goes away:
 * `return()` closes the store subscription directly (which also settles a pending `next()`),
 * rather than waiting for the next event as an async generator's `return()` would.
 */
function liveIterator<T>(subscription: StoreSubscription, map: (event: RecordedEvent) => Promise<T | undefined>, onEnd: () => void): AsyncIterableIterator<T> {
  const events = subscription[Symbol.asyncIterator]();
  let done = false;
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      onEnd();
      await subscription.close();
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    async next(): Promise<IteratorResult<T>> {
      try {
        while (!done) {
          const item = await events.next();
          if (item.done) return await finish();
          const value = await map(item.value);
          if (value !== undefined && !done) return { value, done: false };
        }
      } catch (error) {
        await finish();
        throw error;
      }
      return { value: undefined, done: true };
    },
    return: finish,
    async throw(error: unknown): Promise<IteratorResult<T>> {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/**
 * Live updates over WebSocket (graphql-ws): a ticket's new events and queue changes, read
 * from the event store's subscription. The guard authorises each subscription as it starts
 * (same table as queries); the data rules are those of `ticket` and `queue`.
 */
@Resolver()
export class SubscriptionsResolver {
  private readonly active: Gauge<'subscription'>;

  constructor(
    private readonly queries: QueryBus,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    metrics: GatewayMetrics,
  ) {
    this.active = new Gauge({
      name: 'tracedesk_graphql_subscriptions',
      help: 'GraphQL subscriptions open now, by field',
      labelNames: ['subscription'],
      registers: [metrics.registry],
    });
    this.active.set({ subscription: 'ticketEvents' }, 0);
    this.active.set({ subscription: 'queueChanged' }, 0);
  }

  private opened(name: string): () => void {
    this.active.inc({ subscription: name });
    return () => this.active.dec({ subscription: name });
  }

  @Subscription(() => TicketHistoryEntry, {
    description:
      'Each new event of the ticket, in order (customer: own organization\'s tickets, without internal notes; agent, supervisor). ' +
      'after: resume after this log position (a mutation\'s position or the last event\'s); default: events from now on.',
    resolve: (entry: TicketHistoryEntry) => entry,
  })
  async ticketEvents(
    @CurrentActor() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AsyncIterableIterator<TicketHistoryEntry>> {
    if (after != null && !POSITION.test(after)) {
      throw new GatewayError('BAD_USER_INPUT', `after must be a log position (digits only), got "${after.slice(0, 40)}"`, { field: 'after' });
    }
    // Same rule as ticket(id): missing and not-yours look alike.
    const view = ID_PATTERN.test(ticketId) ? await this.queries.execute(new GetTicketQuery(ticketId, actor)) : null;
    if (!view) throw new GatewayError('NOT_FOUND', `Ticket ${ticketId} does not exist.`);
    const stream = ticketStream(ticketId);
    const start: Position = after != null ? BigInt(after) : await this.runtime.store.headPosition();
    const subscription = this.runtime.store.subscribeToAll({ after: start, filter: { streamPrefixes: [stream] } });
    const customer = actor.role === 'customer';
    return liveIterator(
      subscription,
      async (event) =>
        event.streamId !== stream || (customer && STAFF_ONLY_EVENTS.has(event.type))
          ? undefined
          : toHistoryEntry(event, await this.runtime.store.readStream(stream, { maxCount: event.revision + 1 })),
      this.opened('ticketEvents'),
    );
  }

  @Subscription(() => QueueItem, {
    description: 'The queue row of a ticket each time it changes while it matches the filter (as for queue; a customer sees its own organization only).',
    resolve: (item: QueueItem) => item,
  })
  async queueChanged(
    @CurrentActor() actor: Actor,
    @Args('filter', { type: () => QueueFilter, nullable: true }) filter?: QueueFilter,
  ): Promise<AsyncIterableIterator<QueueItem>> {
    const query: QueueFilterData = filter ? { ...filter } : {};
    if (query.status?.length === 0) throw new GatewayError('BAD_USER_INPUT', 'status must list at least one status', { field: 'status' });
    if (actor.role === 'customer') query.organizationId = actor.organizationId ?? null;
    const subscription = this.runtime.store.subscribeToAll({ after: await this.runtime.store.headPosition(), filter: { streamPrefixes: [TICKET_STREAM_PREFIX] } });
    // Several events of one ticket in a row become one row each time the row has moved on.
    const sent = new Map<string, number>();
    return liveIterator(
      subscription,
      async (event) => {
        const ticketId = event.streamId.slice(TICKET_STREAM_PREFIX.length);
        if (!(await this.runtime.runner.waitFor(event.position, QUEUE_CATCH_UP_MS, ['queue']))) return undefined;
        const row = await this.runtime.readModels.queue.get(ticketId);
        if (!row || (sent.get(ticketId) ?? -1) >= row.revision || !matchesQueueFilter(row, query)) return undefined;
        sent.delete(ticketId);
        sent.set(ticketId, row.revision);
        if (sent.size > 10_000) sent.delete(sent.keys().next().value!);
        return toQueueItem(row);
      },
      this.opened('queueChanged'),
    );
  }
}
