import { hasTier } from '@tracedesk/sla';
import { forbidden, notFound, ruleViolation } from '../shared/domain-error.js';
import type { OrganizationContext } from './organization.commands.js';
import type { OrganizationState } from './organization.state.js';

export function requireAdmin(context: OrganizationContext): void {
  if (context.actor.role !== 'admin') {
    throw forbidden('ADMIN_ONLY', 'Only an administrator can manage organizations and contacts.');
  }
}

export function requireRegistered(
  state: OrganizationState,
  organizationId: string,
): asserts state is Extract<OrganizationState, { registered: true }> {
  if (!state.registered) throw notFound('ORGANIZATION_NOT_FOUND', `Organization "${organizationId}" does not exist.`);
}

export function requireKnownTier(context: OrganizationContext, tier: string): void {
  if (!hasTier(context.policy, tier)) {
    const known = Object.keys(context.policy.tiers).join(', ');
    throw ruleViolation('UNKNOWN_TIER', `Tier "${tier}" is not in SLA policy ${context.policy.version}; known tiers: ${known}.`);
  }
}
