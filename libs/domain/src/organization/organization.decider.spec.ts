import { describe, expect, it } from '@jest/globals';
import { DomainError } from '../shared/domain-error.js';
import { fold } from '../shared/decider.js';
import { actors, policy } from '../testing/domain.fixtures.js';
import type { Actor } from '../shared/actor.js';
import type { OrganizationCommand } from './organization.commands.js';
import { decideOrganization } from './organization.decider.js';
import type { OrganizationEvent } from './organization.events.js';
import { evolveOrganization, initialOrganizationState } from './organization.state.js';

const now = new Date('2026-11-23T07:00:00.000Z');
const at = now.toISOString();
const registered: OrganizationEvent = { type: 'OrganizationRegistered', data: { organizationId: 'acme', name: 'Acme', tier: 'pro', at } };
const anna: OrganizationEvent = {
  type: 'ContactAdded',
  data: { organizationId: 'acme', contactId: 'c-anna', name: 'Anna', email: 'anna@acme.test', kind: 'STAFF', at },
};

function given(events: OrganizationEvent[]) {
  const state = fold(evolveOrganization, initialOrganizationState(), events);
  return {
    when: (command: OrganizationCommand, actor: Actor = actors.admin) => {
      const run = () => decideOrganization(command, state, { now, actor, policy });
      return {
        then: (expected: OrganizationEvent[]) => expect(run()).toEqual(expected),
        thenRefused: (code: string, rule: string) => {
          let error: unknown;
          try {
            run();
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(DomainError);
          expect(error).toMatchObject({ code, rule });
        },
      };
    },
  };
}

describe('organization', () => {
  it('an administrator registers an organization on a tier of the policy', () => {
    given([]).when({ type: 'RegisterOrganization', organizationId: 'acme', name: ' Acme ', tier: 'pro' }).then([
      { type: 'OrganizationRegistered', data: { organizationId: 'acme', name: 'Acme', tier: 'pro', at } },
    ]);
  });

  it('refuses a second registration, an unknown tier and a non-administrator', () => {
    given([registered]).when({ type: 'RegisterOrganization', organizationId: 'acme', name: 'Acme', tier: 'pro' }).thenRefused('RULE_VIOLATION', 'ORGANIZATION_EXISTS');
    given([]).when({ type: 'RegisterOrganization', organizationId: 'acme', name: 'Acme', tier: 'gold' }).thenRefused('RULE_VIOLATION', 'UNKNOWN_TIER');
    given([]).when({ type: 'RegisterOrganization', organizationId: 'acme', name: 'Acme', tier: 'pro' }, actors.agent).thenRefused('FORBIDDEN', 'ADMIN_ONLY');
  });

  it('changes tier; the same tier records nothing', () => {
    given([registered]).when({ type: 'ChangeOrganizationTier', organizationId: 'acme', tier: 'enterprise' }).then([
      { type: 'OrganizationTierChanged', data: { organizationId: 'acme', from: 'pro', to: 'enterprise', at } },
    ]);
    given([registered]).when({ type: 'ChangeOrganizationTier', organizationId: 'acme', tier: 'pro' }).then([]);
    given([]).when({ type: 'ChangeOrganizationTier', organizationId: 'acme', tier: 'pro' }).thenRefused('NOT_FOUND', 'ORGANIZATION_NOT_FOUND');
  });

  it('adds staff and distributor contacts, with unique ids and e-mails', () => {
    given([registered])
      .when({ type: 'AddContact', organizationId: 'acme', contactId: 'c-dist', name: 'Partner', email: 'Sales@Partner.test', kind: 'DISTRIBUTOR' })
      .then([
        { type: 'ContactAdded', data: { organizationId: 'acme', contactId: 'c-dist', name: 'Partner', email: 'sales@partner.test', kind: 'DISTRIBUTOR', at } },
      ]);
    given([registered, anna])
      .when({ type: 'AddContact', organizationId: 'acme', contactId: 'c-anna', name: 'Anna', email: 'x@acme.test', kind: 'STAFF' })
      .thenRefused('RULE_VIOLATION', 'CONTACT_EXISTS');
    given([registered, anna])
      .when({ type: 'AddContact', organizationId: 'acme', contactId: 'c-ann2', name: 'Anna', email: 'ANNA@acme.test', kind: 'STAFF' })
      .thenRefused('RULE_VIOLATION', 'EMAIL_TAKEN');
  });

  it('removes a contact, which then counts as inactive', () => {
    given([registered, anna]).when({ type: 'RemoveContact', organizationId: 'acme', contactId: 'c-anna' }).then([
      { type: 'ContactRemoved', data: { organizationId: 'acme', contactId: 'c-anna', at } },
    ]);
    const removed: OrganizationEvent = { type: 'ContactRemoved', data: { organizationId: 'acme', contactId: 'c-anna', at } };
    given([registered, anna, removed]).when({ type: 'RemoveContact', organizationId: 'acme', contactId: 'c-anna' }).thenRefused('NOT_FOUND', 'CONTACT_NOT_FOUND');
    const state = fold(evolveOrganization, initialOrganizationState(), [registered, anna, removed]);
    expect(state.registered && state.contacts['c-anna']!.active).toBe(false);
  });
});
