import type { ContactKind, OrganizationEvent } from './organization.events.js';

export interface Contact {
  contactId: string;
  name: string;
  email: string;
  kind: ContactKind;
  active: boolean;
}

export type OrganizationState =
  | { registered: false }
  | { registered: true; id: string; name: string; tier: string; contacts: Record<string, Contact>; registeredAt: string };

export const initialOrganizationState = (): OrganizationState => ({ registered: false });

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  if (event.type === 'OrganizationRegistered') {
    const { organizationId, name, tier, at } = event.data;
    return { registered: true, id: organizationId, name, tier, contacts: {}, registeredAt: at };
  }
  if (!state.registered) return state;
  switch (event.type) {
    case 'OrganizationTierChanged':
      return { ...state, tier: event.data.to };
    case 'ContactAdded': {
      const { contactId, name, email, kind } = event.data;
      return { ...state, contacts: { ...state.contacts, [contactId]: { contactId, name, email, kind, active: true } } };
    }
    case 'ContactRemoved': {
      const contact = state.contacts[event.data.contactId];
      if (!contact) return state;
      return { ...state, contacts: { ...state.contacts, [contact.contactId]: { ...contact, active: false } } };
    }
  }
}
