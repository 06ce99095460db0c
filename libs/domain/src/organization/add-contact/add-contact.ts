import { ruleViolation, requireText } from '../../shared/domain-error.js';
import type { OrganizationCommand, OrganizationContext } from '../organization.commands.js';
import type { OrganizationEvent } from '../organization.events.js';
import { requireAdmin, requireRegistered } from '../organization.guards.js';
import type { OrganizationState } from '../organization.state.js';

export function addContact(
  command: Extract<OrganizationCommand, { type: 'AddContact' }>,
  state: OrganizationState,
  context: OrganizationContext,
): OrganizationEvent[] {
  requireAdmin(context);
  requireRegistered(state, command.organizationId);
  if (state.contacts[command.contactId]) {
    throw ruleViolation('CONTACT_EXISTS', `Contact "${command.contactId}" already belongs to this organization.`);
  }
  const email = requireText(command.email, 'email').toLowerCase();
  const taken = Object.values(state.contacts).find((c) => c.active && c.email === email);
  if (taken) {
    throw ruleViolation('EMAIL_TAKEN', `E-mail ${email} is already used by contact "${taken.contactId}".`);
  }
  return [
    {
      type: 'ContactAdded',
      data: {
        organizationId: state.id,
        contactId: command.contactId,
        name: requireText(command.name, 'name'),
        email,
        kind: command.kind,
        at: context.now.toISOString(),
      },
    },
  ];
}
