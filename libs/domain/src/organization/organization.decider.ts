import type { Decider } from '../shared/decider.js';
import { addContact } from './add-contact/add-contact.js';
import { changeOrganizationTier } from './change-organization-tier/change-organization-tier.js';
import type { OrganizationCommand, OrganizationContext } from './organization.commands.js';
import type { OrganizationEvent } from './organization.events.js';
import { evolveOrganization, initialOrganizationState, type OrganizationState } from './organization.state.js';
import { registerOrganization } from './register-organization/register-organization.js';
import { removeContact } from './remove-contact/remove-contact.js';

export function decideOrganization(
  command: OrganizationCommand,
  state: OrganizationState,
  context: OrganizationContext,
): OrganizationEvent[] {
  switch (command.type) {
    case 'RegisterOrganization':
      return registerOrganization(command, state, context);
    case 'ChangeOrganizationTier':
      return changeOrganizationTier(command, state, context);
    case 'AddContact':
      return addContact(command, state, context);
    case 'RemoveContact':
      return removeContact(command, state, context);
  }
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState, OrganizationContext> = {
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
};
