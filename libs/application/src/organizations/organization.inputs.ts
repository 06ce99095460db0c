import { IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, IsNotEmpty } from 'class-validator';
import type { ContactKind } from '@tracedesk/domain';
import { ID_PATTERN, LIMITS } from '../tickets/ticket.inputs.js';

const ID_MESSAGE = '$property must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
/** Tier names are policy keys. */
const TIER_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export class RegisterOrganizationInput {
  @IsOptional() @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) id?: string;
  @IsString() @IsNotEmpty() @MaxLength(LIMITS.name) name!: string;
  @IsString() @Matches(TIER_PATTERN, { message: '$property must be a tier name of the SLA policy' }) tier!: string;
}

export class ChangeOrganizationTierInput {
  @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) organizationId!: string;
  @IsString() @Matches(TIER_PATTERN, { message: '$property must be a tier name of the SLA policy' }) tier!: string;
}

export class AddContactInput {
  @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) organizationId!: string;
  @IsOptional() @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) contactId?: string;
  @IsString() @IsNotEmpty() @MaxLength(LIMITS.name) name!: string;
  @IsEmail() @MaxLength(254) email!: string;
  @IsIn(['STAFF', 'DISTRIBUTOR'] satisfies ContactKind[]) kind!: ContactKind;
}

export class RemoveContactInput {
  @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) organizationId!: string;
  @IsString() @Matches(ID_PATTERN, { message: ID_MESSAGE }) contactId!: string;
}
