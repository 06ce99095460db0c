import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { Channel, ContactKind, Priority, SlaMetric, TicketStatus, TicketType } from './types.js';

/*
 * GraphQL checks types and enums; the shape rules (lengths, id patterns, required text) are the
 * application's class-validator DTOs, checked by the command handlers, so they live in one place.
 */

@InputType()
export class RegisterOrganizationInput {
  @Field(() => ID, { nullable: true, description: 'Generated from the name when absent.' }) id?: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'A tier of the SLA policy, e.g. pro or enterprise.' }) tier!: string;
}

@InputType()
export class ChangeOrganizationTierInput {
  @Field(() => ID) organizationId!: string;
  @Field(() => String) tier!: string;
}

@InputType()
export class AddContactInput {
  @Field(() => ID) organizationId!: string;
  @Field(() => ID, { nullable: true, description: 'The user id (token subject) of the contact; generated when absent.' }) contactId?: string;
  @Field(() => String) name!: string;
  @Field(() => String) email!: string;
  @Field(() => ContactKind) kind!: ContactKind;
}

@InputType()
export class OpenTicketInput {
  @Field(() => ID, { nullable: true, description: 'Required for staff opening on behalf of a contact; a customer opens for its own.' })
  organizationId?: string;
  @Field(() => ID, { nullable: true }) contactId?: string;
  @Field(() => Channel) channel!: Channel;
  @Field(() => TicketType) type!: TicketType;
  @Field(() => String) title!: string;
  @Field(() => String) description!: string;
  @Field(() => Priority, { nullable: true }) requestedPriority?: Priority;
}

@InputType()
export class ChangePriorityInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => Priority) priority!: Priority;
  @Field(() => String) reason!: string;
}

@InputType()
export class AssignTicketInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => ID) assigneeId!: string;
  @Field(() => String) group!: string;
}

@InputType()
export class TicketBodyInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => String) body!: string;
}

@InputType()
export class EscalateTicketInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => Int, { description: '1 frontline, 2 technical team, 3 head of support.' }) level!: 1 | 2 | 3;
  @Field(() => String) reason!: string;
}

@InputType()
export class ResolveTicketInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => String) resolution!: string;
}

@InputType()
export class ReopenTicketInput {
  @Field(() => ID) ticketId!: string;
  @Field(() => String) reason!: string;
}

@InputType()
export class CloseTicketInput {
  @Field(() => ID) ticketId!: string;
}

@InputType()
export class QueueFilter {
  @Field(() => ID, { nullable: true }) organizationId?: string;
  @Field(() => [TicketStatus], { nullable: true, description: 'Default: NEW, OPEN, AWAITING_CUSTOMER.' }) status?: TicketStatus[];
  @Field(() => [Priority], { nullable: true }) priority?: Priority[];
  @Field(() => [String], { nullable: true }) tier?: string[];
  @Field(() => String, { nullable: true }) group?: string;
  @Field(() => ID, { nullable: true, description: 'null selects unassigned tickets.' }) assigneeId?: string | null;
  @Field(() => Int, { nullable: true }) escalationLevel?: number;
  @Field(() => Boolean, { nullable: true }) breached?: boolean;
  @Field(() => Boolean, { nullable: true }) atRisk?: boolean;
}

@InputType()
export class BreachFilter {
  @Field(() => ID, { nullable: true }) organizationId?: string;
  @Field(() => ID, { nullable: true }) ticketId?: string;
  @Field(() => SlaMetric, { nullable: true }) metric?: SlaMetric;
  @Field(() => String, { nullable: true }) tier?: string;
  @Field(() => Priority, { nullable: true }) priority?: Priority;
  @Field(() => String, { nullable: true }) group?: string;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'breachedAt >= from' }) from?: Date;
  @Field(() => GraphQLDateTime, { nullable: true, description: 'breachedAt < to' }) to?: Date;
}
