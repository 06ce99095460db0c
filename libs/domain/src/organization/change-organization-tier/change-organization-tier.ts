import type { OrganizationCommand, OrganizationContext } from '../organization.commands.js';
import type { OrganizationEvent } from '../organization.events.js';
import { requireAdmin, requireKnownTier, requireRegistered } from '../organization.guards.js';
import type { OrganizationState } from '../organization.state.js';

/** Changes which tier new tickets get; open tickets keep the tier they were opened with. */
export function changeOrganizationTier(
  command: Extract<OrganizationCommand, { type: 'ChangeOrganizationTier' }>,
  state: OrganizationState,
  context: OrganizationContext,
): OrganizationEvent[] {
  requireAdmin(context);
  requireRegistered(state, command.organizationId);
  requireKnownTier(context, command.tier);
  if (state.tier === command.tier) return [];
  return [
    {
      type: 'OrganizationTierChanged',
      data: { organizationId: state.id, from: state.tier, to: command.tier, at: context.now.toISOString() },
    },
  ];
}
