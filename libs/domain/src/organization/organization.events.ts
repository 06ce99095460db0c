export type ContactKind = 'STAFF' | 'DISTRIBUTOR';

export type OrganizationEvent =
  | { type: 'OrganizationRegistered'; data: { organizationId: string; name: string; tier: string; at: string } }
  | { type: 'OrganizationTierChanged'; data: { organizationId: string; from: string; to: string; at: string } }
  | {
      type: 'ContactAdded';
      data: { organizationId: string; contactId: string; name: string; email: string; kind: ContactKind; at: string };
    }
  | { type: 'ContactRemoved'; data: { organizationId: string; contactId: string; at: string } };

export type OrganizationEventType = OrganizationEvent['type'];
export const ORGANIZATION_EVENT_TYPES: readonly OrganizationEventType[] = [
  'OrganizationRegistered',
  'OrganizationTierChanged',
  'ContactAdded',
  'ContactRemoved',
];

export const organizationStream = (organizationId: string): string => `organization-${organizationId}`;
