import { notFound } from '../../shared/domain-error.js';
import type { OrganizationCommand, OrganizationContext } from '../organization.commands.js';
import type { OrganizationEvent } from '../organization.events.js';
import { requireAdmin, requireRegistered } from '../organization.guards.js';
import type { OrganizationState } from '../organization.state.js';

/** A removed contact can no longer open tickets; the tickets it opened stay. */
export function removeContact(
  command: Extract<OrganizationCommand, { type: 'RemoveContact' }>,
  state: OrganizationState,
  context: OrganizationContext,
): OrganizationEvent[] {
  requireAdmin(context);
  requireRegistered(state, command.organizationId);
  const contact = state.contacts[command.contactId];
  if (!contact?.active) throw notFound('CONTACT_NOT_FOUND', `Contact "${command.contactId}" is not in this organization.`);
  return [{ type: 'ContactRemoved', data: { organizationId: state.id, contactId: contact.contactId, at: context.now.toISOString() } }];
}
