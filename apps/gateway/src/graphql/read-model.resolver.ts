import { Inject } from '@nestjs/common';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import type { Runtime } from '@tracedesk/application';
import type { Actor } from '@tracedesk/domain';
import { computeTierReport } from '@tracedesk/projections';
import { encodeBreachCursor, encodeQueueCursor, type BreachFilter as BreachFilterData, type QueueFilter as QueueFilterData, type QueueRow, type SlaBreachRow } from '@tracedesk/read-models';
import { CurrentActor } from '../auth/auth.js';
import { GatewayError } from '../errors.js';
import { BreachFilter, QueueFilter } from './inputs.js';
import { waitForPosition } from './read-your-writes.js';
import { RUNTIME } from './tokens.js';
import {
  GraphQLDateTime,
  SlaBreachConnection,
  TicketConnection,
  TierReportRow,
  toQueueItem,
  toSlaBreach,
  toTierReportRow,
} from './types.js';

/** Copies the fields a client actually sent (graphql-js leaves absent ones out, keeps nulls). */
function sent<T extends object>(input: T | null | undefined): Record<string, unknown> {
  return input ? Object.fromEntries(Object.entries(input)) : {};
}

/** Queries over the projections' read models (they may trail the log: see atLeastPosition). */
@Resolver()
export class ReadModelResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Query(() => TicketConnection, { description: 'Open tickets, soonest SLA due first. A customer sees its own organization only.' })
  async queue(
    @CurrentActor() actor: Actor,
    @Args('filter', { type: () => QueueFilter, nullable: true }) filter?: QueueFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
    @Args('atLeastPosition', { type: () => String, nullable: true }) atLeastPosition?: string,
  ): Promise<TicketConnection> {
    if (!(await waitForPosition(this.runtime, atLeastPosition))) {
      throw new GatewayError('SERVICE_UNAVAILABLE', `The queue has not caught up with position ${atLeastPosition} yet; try again.`);
    }
    const query = sent(filter) as QueueFilterData;
    // A customer's queue is its own organization's, whatever the filter says.
    if (actor.role === 'customer') query.organizationId = actor.organizationId!;
    const page = await this.runtime.readModels.queue.find(query, { ...(first != null && { first }), ...(after != null && { after }) });
    return {
      edges: page.rows.map((row) => ({ node: toQueueItem(row), cursor: queueCursor(row) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      totalCount: page.totalCount,
    };
  }

  @Query(() => SlaBreachConnection, { description: 'Breaches, latest first.' })
  async slaBreaches(
    @Args('filter', { type: () => BreachFilter, nullable: true }) filter?: BreachFilter,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<SlaBreachConnection> {
    const raw = sent(filter);
    const query = {
      ...raw,
      ...(raw['from'] instanceof Date && { from: raw['from'].toISOString() }),
      ...(raw['to'] instanceof Date && { to: raw['to'].toISOString() }),
    } as BreachFilterData;
    const page = await this.runtime.readModels.breaches.find(query, { ...(first != null && { first }), ...(after != null && { after }) });
    return {
      edges: page.rows.map((row) => ({ node: toSlaBreach(row), cursor: breachCursor(row) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      totalCount: page.totalCount,
    };
  }

  @Query(() => [TierReportRow], { description: 'Per tier and priority over [from, to); durations in business seconds.' })
  async tierReport(
    @Args('from', { type: () => GraphQLDateTime }) from: Date,
    @Args('to', { type: () => GraphQLDateTime }) to: Date,
    @Args('tier', { type: () => String, nullable: true }) tier?: string,
  ): Promise<TierReportRow[]> {
    if (from.getTime() >= to.getTime()) throw new GatewayError('BAD_USER_INPUT', 'from must be before to', { field: 'from' });
    const facts = this.runtime.readModels.facts.openedBefore(to.toISOString(), tier ?? undefined);
    const rows = await computeTierReport(facts, from.toISOString(), to.toISOString());
    return rows.map(toTierReportRow);
  }
}

/** Per-row cursors, encoded by the read-model library that decodes them. */
const queueCursor = (row: QueueRow): string => encodeQueueCursor(row);
const breachCursor = (row: SlaBreachRow): string => encodeBreachCursor(row);
