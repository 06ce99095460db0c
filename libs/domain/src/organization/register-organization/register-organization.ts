import { ruleViolation, requireText } from '../../shared/domain-error.js';
import type { OrganizationCommand, OrganizationContext } from '../organization.commands.js';
import type { OrganizationEvent } from '../organization.events.js';
import { requireAdmin, requireKnownTier } from '../organization.guards.js';
import type { OrganizationState } from '../organization.state.js';

export function registerOrganization(
  command: Extract<OrganizationCommand, { type: 'RegisterOrganization' }>,
  state: OrganizationState,
  context: OrganizationContext,
): OrganizationEvent[] {
  requireAdmin(context);
  if (state.registered) {
    throw ruleViolation('ORGANIZATION_EXISTS', `Organization "${command.organizationId}" is already registered.`);
  }
  requireKnownTier(context, command.tier);
  const name = requireText(command.name, 'name');
  return [
    {
      type: 'OrganizationRegistered',
      data: { organizationId: command.organizationId, name, tier: command.tier, at: context.now.toISOString() },
    },
  ];
}
