import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS, PRIORITIES, SLA_METRICS, type Channel, type Priority, type SlaMetric } from '@tracedesk/sla';
import { TICKET_TYPES, type TicketType } from '@tracedesk/domain';

/** Shape checks of ticket command inputs (the decider checks the rules). */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_MESSAGE = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
export const LIMITS = { title: 200, text: 20_000, reason: 2_000, name: 120 } as const;

function Id(): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    Matches(ID_PATTERN, { message: `$property ${ID_MESSAGE}` })(target, key);
  };
}
function Text(max: number): PropertyDecorator {
  return (target, key) => {
    IsString()(target, key);
    IsNotEmpty()(target, key);
    MaxLength(max)(target, key);
  };
}

export class TicketRef {
  @Id() ticketId!: string;
}

export class OpenTicketInput {
  @IsOptional() @Id() organizationId?: string;
  @IsOptional() @Id() contactId?: string;
  @IsIn(CHANNELS) channel!: Channel;
  @IsIn(['QUESTION', 'PROBLEM', 'SERVICE_REQUEST'] satisfies readonly TicketType[]) type!: TicketType;
  @Text(LIMITS.title) title!: string;
  @Text(LIMITS.text) description!: string;
  @IsOptional() @IsIn(PRIORITIES) requestedPriority?: Priority;
}

export class ChangePriorityInput extends TicketRef {
  @IsIn(PRIORITIES) priority!: Priority;
  @Text(LIMITS.reason) reason!: string;
}

export class AssignTicketInput extends TicketRef {
  @Id() assigneeId!: string;
  @Text(LIMITS.name) group!: string;
}

export class TicketBodyInput extends TicketRef {
  @Text(LIMITS.text) body!: string;
}

export class EscalateTicketInput extends TicketRef {
  @IsInt() @Min(1) @Max(3) level!: 1 | 2 | 3;
  @Text(LIMITS.reason) reason!: string;
}

export class ResolveTicketInput extends TicketRef {
  @Text(LIMITS.text) resolution!: string;
}

export class ReopenTicketInput extends TicketRef {
  @Text(LIMITS.reason) reason!: string;
}

export class SlaClockInput extends TicketRef {
  @IsIn(SLA_METRICS) metric!: SlaMetric;
}

export const TICKET_TYPE_VALUES = TICKET_TYPES;
