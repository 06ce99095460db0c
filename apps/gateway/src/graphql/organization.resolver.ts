import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  AddContactCommand,
  ChangeOrganizationTierCommand,
  ID_PATTERN,
  RegisterOrganizationCommand,
  type CommandMeta,
  type Runtime,
} from '@tracedesk/application';
import { evolveOrganization, fold, initialOrganizationState, organizationStream, type Actor, type OrganizationEvent } from '@tracedesk/domain';
import { StreamNotFoundError } from '@tracedesk/event-store';
import { CurrentActor, Meta } from '../auth/auth.js';
import { GatewayError } from '../errors.js';
import { AddContactInput, ChangeOrganizationTierInput, RegisterOrganizationInput } from './inputs.js';
import { RUNTIME } from './tokens.js';
import { Contact, Organization, toContact, toOrganization } from './types.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  constructor(
    private readonly commands: CommandBus,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Query(() => Organization, { nullable: true, description: 'A customer sees its own organization only.' })
  async organization(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Organization | null> {
    if (!ID_PATTERN.test(id)) return null;
    if (actor.role === 'customer' && actor.organizationId !== id) return null;
    let events;
    try {
      events = await this.runtime.store.readStream(organizationStream(id));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
    const state = fold(evolveOrganization, initialOrganizationState(), events as unknown as OrganizationEvent[]);
    return state.registered ? toOrganization(state, events[events.length - 1]!.revision) : null;
  }

  @Mutation(() => Organization)
  async registerOrganization(@Meta() meta: CommandMeta, @Args('input') input: RegisterOrganizationInput): Promise<Organization> {
    const result = await this.commands.execute(new RegisterOrganizationCommand(input, meta));
    return toOrganization(result.organization, result.revision);
  }

  @Mutation(() => Organization)
  async changeOrganizationTier(@Meta() meta: CommandMeta, @Args('input') input: ChangeOrganizationTierInput): Promise<Organization> {
    const result = await this.commands.execute(new ChangeOrganizationTierCommand(input, meta));
    return toOrganization(result.organization, result.revision);
  }

  @Mutation(() => Contact, { description: 'contactId is the user id (token subject) the contact signs in with.' })
  async addContact(@Meta() meta: CommandMeta, @Args('input') input: AddContactInput): Promise<Contact> {
    // The id is chosen here (not in the handler) so the new contact can be found in the result.
    const contactId = input.contactId ?? randomUUID();
    const result = await this.commands.execute(new AddContactCommand({ ...input, contactId }, meta));
    const contact = result.organization.contacts[contactId];
    if (!contact) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The contact was not recorded.');
    return toContact(result.organization.id, contact);
  }
}
