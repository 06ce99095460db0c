import type { SlaPolicy } from '@tracedesk/sla';
import type { Actor } from '../shared/actor.js';
import type { ContactKind } from './organization.events.js';

export type OrganizationCommand =
  | { type: 'RegisterOrganization'; organizationId: string; name: string; tier: string }
  | { type: 'ChangeOrganizationTier'; organizationId: string; tier: string }
  | { type: 'AddContact'; organizationId: string; contactId: string; name: string; email: string; kind: ContactKind }
  | { type: 'RemoveContact'; organizationId: string; contactId: string };

export interface OrganizationContext {
  now: Date;
  actor: Actor;
  policy: SlaPolicy;
}
