import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';
import type { Contact as ContactState, OrganizationState, TicketState } from '@tracedesk/domain';
import type { QueueRow, SlaBreachRow, TierReportRow as TierReportData } from '@tracedesk/read-models';

/** Enums of API.md (values as in the domain). */
export enum Priority { CRITICAL = 'CRITICAL', HIGH = 'HIGH', MEDIUM = 'MEDIUM', LOW = 'LOW' }
export enum Channel { WEB = 'WEB', EMAIL = 'EMAIL', CHAT = 'CHAT', PHONE = 'PHONE' }
export enum TicketType { QUESTION = 'QUESTION', PROBLEM = 'PROBLEM', SERVICE_REQUEST = 'SERVICE_REQUEST' }
export enum TicketStatus { NEW = 'NEW', OPEN = 'OPEN', AWAITING_CUSTOMER = 'AWAITING_CUSTOMER', RESOLVED = 'RESOLVED', CLOSED = 'CLOSED' }
export enum SlaMetric { FIRST_RESPONSE = 'FIRST_RESPONSE', NEXT_RESPONSE = 'NEXT_RESPONSE', RESOLUTION = 'RESOLUTION' }
export enum SlaClockStatus { RUNNING = 'RUNNING', PAUSED = 'PAUSED', MET = 'MET', BREACHED = 'BREACHED' }
export enum ContactKind { STAFF = 'STAFF', DISTRIBUTOR = 'DISTRIBUTOR' }

registerEnumType(Priority, { name: 'Priority', description: 'P1..P4' });
registerEnumType(Channel, { name: 'Channel' });
registerEnumType(TicketType, { name: 'TicketType' });
registerEnumType(TicketStatus, { name: 'TicketStatus' });
registerEnumType(SlaMetric, { name: 'SlaMetric' });
registerEnumType(SlaClockStatus, { name: 'SlaClockStatus' });
registerEnumType(ContactKind, { name: 'ContactKind' });

export { GraphQLDateTime, GraphQLJSON };

@ObjectType({ description: 'One SLA clock of a ticket (dueAt is null while paused).' })
export class SlaClock {
  @Field(() => SlaMetric) metric!: SlaMetric;
  @Field(() => SlaClockStatus) status!: SlaClockStatus;
  @Field(() => GraphQLDateTime, { nullable: true }) dueAt!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) breachedAt!: string | null;
  @Field(() => GraphQLDateTime) startedAt!: string;
  @Field(() => GraphQLDateTime, { nullable: true }) metAt!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) atRiskAt!: string | null;
}

@ObjectType()
export class Ticket {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => ID) contactId!: string;
  @Field(() => String) title!: string;
  @Field(() => String) description!: string;
  @Field(() => TicketStatus) status!: TicketStatus;
  @Field(() => Priority) priority!: Priority;
  @Field(() => Priority, { nullable: true }) requestedPriority!: Priority | null;
  @Field(() => String) tier!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => TicketType) type!: TicketType;
  @Field(() => ID, { nullable: true }) assigneeId!: string | null;
  @Field(() => String, { nullable: true }) group!: string | null;
  @Field(() => Int) escalationLevel!: number;
  @Field(() => GraphQLDateTime) openedAt!: string;
  @Field(() => GraphQLDateTime, { nullable: true }) firstRespondedAt!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) resolvedAt!: string | null;
  @Field(() => GraphQLDateTime, { nullable: true }) closedAt!: string | null;
  @Field(() => [SlaClock]) sla!: SlaClock[];
  @Field(() => Int) reopenCount!: number;
  @Field(() => Int) revision!: number;
}

const METRIC_ORDER: readonly string[] = ['FIRST_RESPONSE', 'NEXT_RESPONSE', 'RESOLUTION'];

export function toTicket(state: TicketState, revision: number): Ticket {
  const sla = Object.values(state.clocks)
    .filter((clock) => clock !== undefined)
    .sort((a, b) => METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric))
    .map((clock) => ({
      metric: clock.metric as SlaMetric,
      status: clock.status as SlaClockStatus,
      dueAt: clock.dueAt,
      breachedAt: clock.breachedAt,
      startedAt: clock.startedAt,
      metAt: clock.metAt,
      atRiskAt: clock.atRiskAt,
    }));
  return {
    id: state.id,
    organizationId: state.organizationId,
    contactId: state.contactId,
    title: state.title,
    description: state.description,
    status: state.status as TicketStatus,
    priority: state.priority as Priority,
    requestedPriority: state.requestedPriority as Priority | null,
    tier: state.tier,
    channel: state.channel as Channel,
    type: state.type as TicketType,
    assigneeId: state.assigneeId,
    group: state.group,
    escalationLevel: state.escalationLevel,
    openedAt: state.openedAt,
    firstRespondedAt: state.firstRespondedAt,
    resolvedAt: state.resolvedAt,
    closedAt: state.closedAt,
    sla,
    reopenCount: state.reopenCount,
    revision,
  };
}

@ObjectType({ description: 'What every ticket mutation returns: the ticket, its revision and the log position written.' })
export class TicketResult {
  @Field(() => Ticket) ticket!: Ticket;
  @Field(() => Int) revision!: number;
  @Field(() => String, { description: 'Global log position; pass it as atLeastPosition to read your writes.' }) position!: string;
}

export function toTicketResult(result: { ticket: TicketState; revision: number; position: string }): TicketResult {
  return { ticket: toTicket(result.ticket, result.revision), revision: result.revision, position: result.position };
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({ description: 'A clock as the queue projection sees it.' })
export class QueueClock {
  @Field(() => SlaMetric) metric!: SlaMetric;
  @Field(() => SlaClockStatus) status!: SlaClockStatus;
  @Field(() => GraphQLDateTime, { nullable: true }) dueAt!: string | null;
  @Field(() => Boolean) atRisk!: boolean;
  @Field(() => GraphQLDateTime, { nullable: true }) breachedAt!: string | null;
}

@ObjectType({ description: 'A row of the queue read model (projected: may trail the log; see atLeastPosition).' })
export class QueueItem {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => String) title!: string;
  @Field(() => TicketStatus) status!: TicketStatus;
  @Field(() => Priority) priority!: Priority;
  @Field(() => String) tier!: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => TicketType) type!: TicketType;
  @Field(() => String, { nullable: true }) group!: string | null;
  @Field(() => ID, { nullable: true }) assigneeId!: string | null;
  @Field(() => Int) escalationLevel!: number;
  @Field(() => GraphQLDateTime) openedAt!: string;
  @Field(() => GraphQLDateTime) updatedAt!: string;
  @Field(() => GraphQLDateTime, { nullable: true }) nextDueAt!: string | null;
  @Field(() => Boolean) breached!: boolean;
  @Field(() => Boolean) atRisk!: boolean;
  @Field(() => [QueueClock]) sla!: QueueClock[];
  @Field(() => Int) revision!: number;
}

export function toQueueItem(row: QueueRow): QueueItem {
  return {
    id: row.ticketId,
    organizationId: row.organizationId,
    title: row.title,
    status: row.status as TicketStatus,
    priority: row.priority as Priority,
    tier: row.tier,
    channel: row.channel as Channel,
    type: row.type as TicketType,
    group: row.group,
    assigneeId: row.assigneeId,
    escalationLevel: row.escalationLevel,
    openedAt: row.openedAt,
    updatedAt: row.updatedAt,
    nextDueAt: row.nextDueAt,
    breached: row.breached,
    atRisk: row.atRisk,
    sla: row.clocks.map((c) => ({ metric: c.metric as SlaMetric, status: c.status as SlaClockStatus, dueAt: c.dueAt, atRisk: c.atRisk, breachedAt: c.breachedAt })),
    revision: row.revision,
  };
}

@ObjectType()
export class TicketEdge {
  @Field(() => QueueItem) node!: QueueItem;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class TicketConnection {
  @Field(() => [TicketEdge]) edges!: TicketEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType()
export class SlaBreach {
  @Field(() => ID) ticketId!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => SlaMetric) metric!: SlaMetric;
  @Field(() => Int) cycle!: number;
  @Field(() => String) tier!: string;
  @Field(() => Priority) priority!: Priority;
  @Field(() => GraphQLDateTime) dueAt!: string;
  @Field(() => GraphQLDateTime) breachedAt!: string;
  @Field(() => Float, { description: 'Business seconds late (final once metAt is set).' }) lateBy!: number;
  @Field(() => GraphQLDateTime, { nullable: true }) metAt!: string | null;
  @Field(() => String, { nullable: true }) group!: string | null;
  @Field(() => ID, { nullable: true }) assigneeId!: string | null;
}

export function toSlaBreach(row: SlaBreachRow): SlaBreach {
  return {
    ticketId: row.ticketId,
    organizationId: row.organizationId,
    metric: row.metric as SlaMetric,
    cycle: row.cycle,
    tier: row.tier,
    priority: row.priority as Priority,
    dueAt: row.dueAt,
    breachedAt: row.breachedAt,
    lateBy: row.lateByMs / 1000,
    metAt: row.metAt,
    group: row.group,
    assigneeId: row.assigneeId,
  };
}

@ObjectType()
export class SlaBreachEdge {
  @Field(() => SlaBreach) node!: SlaBreach;
  @Field(() => String) cursor!: string;
}

@ObjectType()
export class SlaBreachConnection {
  @Field(() => [SlaBreachEdge]) edges!: SlaBreachEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
  @Field(() => Int) totalCount!: number;
}

@ObjectType({ description: 'Durations in business seconds.' })
export class TierReportRow {
  @Field(() => String) tier!: string;
  @Field(() => Priority) priority!: Priority;
  @Field(() => Int) opened!: number;
  @Field(() => Int) firstResponses!: number;
  @Field(() => Float, { description: 'Share 0..1 of first responses met in time.' }) firstResponseWithinTarget!: number;
  @Field(() => Float, { nullable: true }) firstResponseP50!: number | null;
  @Field(() => Float, { nullable: true }) firstResponseP90!: number | null;
  @Field(() => Float, { nullable: true }) resolutionP50!: number | null;
  @Field(() => Float, { nullable: true }) resolutionP90!: number | null;
  @Field(() => Int) breaches!: number;
  @Field(() => Int) escalations!: number;
  @Field(() => Int) backlog!: number;
}

export const toTierReportRow = (row: TierReportData): TierReportRow => ({ ...row, priority: row.priority as Priority });

@ObjectType()
export class TicketHistoryEntry {
  @Field(() => Int) revision!: number;
  @Field(() => String) position!: string;
  @Field(() => String) type!: string;
  @Field(() => GraphQLDateTime) occurredAt!: string;
  @Field(() => String) actorId!: string;
  @Field(() => String) actorRole!: string;
  @Field(() => String, { nullable: true }) correlationId!: string | null;
  @Field(() => GraphQLJSON) data!: unknown;
  @Field(() => String, { description: 'Hash chained to the previous event; "" until events carry one.' }) hash!: string;
  @Field(() => String, { nullable: true, description: 'Why, as the actor gave it (priority changes, escalations, reopenings).' }) reason!: string | null;
  @Field(() => String, { nullable: true, description: 'Version of the SLA policy the decision was taken under.' }) policyVersion!: string | null;
  @Field(() => String, { nullable: true, description: 'The event (or command) that caused this one, e.g. a breach for an automatic escalation.' })
  causationId!: string | null;
  @Field(() => String, { nullable: true, description: 'The command that decided the event.' }) command!: string | null;
  @Field(() => [String], { description: 'What the event changed in the ticket, e.g. "priority: MEDIUM → HIGH" (from folding it with the domain\'s evolve).' })
  changes!: string[];
}

@ObjectType()
export class HistoryVerification {
  @Field(() => Boolean) ok!: boolean;
  @Field(() => Int) checkedEvents!: number;
  @Field(() => Int, { nullable: true }) firstBadRevision!: number | null;
  @Field(() => String, { nullable: true, description: 'What was wrong at firstBadRevision.' }) problem!: string | null;
  @Field(() => Boolean, { description: 'True when hashes were recomputed and compared (always, since events carry a hash chain).' })
  hashChecked!: boolean;
  @Field(() => Boolean, { description: 'The head is the one the latest valid signed seal recorded (docs/audit.md).' }) sealed!: boolean;
  @Field(() => Int, { nullable: true, description: 'The revision the latest valid seal of this ticket recorded.' }) sealedRevision!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the head is not covered by a valid seal (not sealed yet, an invalid seal, no key).' })
  sealProblem!: string | null;
}

@ObjectType()
export class Contact {
  @Field(() => ID) id!: string;
  @Field(() => ID) organizationId!: string;
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
  @Field(() => ContactKind) kind!: ContactKind;
  @Field(() => Boolean) active!: boolean;
}

export const toContact = (organizationId: string, c: ContactState): Contact => ({
  id: c.contactId,
  organizationId,
  name: c.name,
  email: c.email,
  kind: c.kind as ContactKind,
  active: c.active,
});

@ObjectType()
export class Organization {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) tier!: string;
  @Field(() => GraphQLDateTime) registeredAt!: string;
  @Field(() => [Contact]) contacts!: Contact[];
  @Field(() => Int) revision!: number;
}

export function toOrganization(state: Extract<OrganizationState, { registered: true }>, revision: number): Organization {
  return {
    id: state.id,
    name: state.name,
    tier: state.tier,
    registeredAt: state.registeredAt,
    contacts: Object.values(state.contacts).map((c) => toContact(state.id, c)),
    revision,
  };
}
