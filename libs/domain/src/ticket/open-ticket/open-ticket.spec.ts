import { describe, expect, it } from '@jest/globals';
import { decideTicket } from '../ticket.decider.js';
import { HOUR, MONDAY_10_MSK, TicketScenario, actors, at, context, ofType, openCommand, organization, policy, types } from '../../testing/domain.fixtures.js';
import { evolveOrganization } from '../../organization/organization.state.js';

describe('open ticket', () => {
  it('a staff contact opens on a channel of its tier: tier, calendar and policy version snapshotted, clocks started', () => {
    const events = new TicketScenario().open().events;
    expect(types(events)).toEqual(['TicketOpened', 'SlaClockStarted', 'SlaClockStarted']);
    expect(events[0]!.data).toMatchObject({
      ticketId: 'T-100',
      organizationId: 'acme',
      contactId: 'c-anna',
      openedBy: 'c-anna',
      priority: 'MEDIUM',
      requestedPriority: null,
      tier: 'pro',
      calendar: 'msk',
      policyVersion: 'test-2026-11',
      at: MONDAY_10_MSK.toISOString(),
    });
    const clocks = ofType(events, 'SlaClockStarted').map((e) => [e.data.metric, e.data.dueAt]);
    // MEDIUM: first response 8 business hours -> Monday 18:00 MSK; resolution 40 h -> Thursday 14:00 MSK.
    expect(clocks).toEqual([
      ['FIRST_RESPONSE', '2026-11-23T15:00:00.000Z'],
      ['RESOLUTION', '2026-11-26T11:00:00.000Z'],
    ]);
    // The at-risk warning falls due at 80% of the target: 6.4 business hours -> 16:24 MSK.
    expect(ofType(events, 'SlaClockStarted')[0]!.data.warnAt).toBe('2026-11-23T13:24:00.000Z');
  });

  it('takes the priority the customer proposes', () => {
    const events = new TicketScenario().open(MONDAY_10_MSK, { requestedPriority: 'CRITICAL' }).events;
    expect(events[0]!.data).toMatchObject({ priority: 'CRITICAL', requestedPriority: 'CRITICAL' });
    expect(ofType(events, 'SlaClockStarted').map((e) => e.data.dueAt)).toEqual(['2026-11-23T08:00:00.000Z', '2026-11-23T15:00:00.000Z']);
  });

  it('counts business hours across the weekend: Friday 19:00 + 4 h = Monday 11:00 Moscow', () => {
    const friday19 = new Date('2026-11-27T16:00:00.000Z');
    const events = new TicketScenario().open(friday19, { requestedPriority: 'HIGH' }).events;
    expect(ofType(events, 'SlaClockStarted')[0]!.data.dueAt).toBe('2026-11-30T08:00:00.000Z');
  });

  it('runs CRITICAL on the top tier on the 24/7 calendar', () => {
    const friday19 = new Date('2026-11-27T16:00:00.000Z');
    const events = new TicketScenario('enterprise').open(friday19, { requestedPriority: 'CRITICAL' }).events;
    expect(events[0]!.data).toMatchObject({ calendar: 'always' });
    expect(ofType(events, 'SlaClockStarted')[0]!.data.dueAt).toBe('2026-11-27T16:30:00.000Z');
  });

  it('starts no clock for a metric without a target', () => {
    const events = new TicketScenario().open(MONDAY_10_MSK, { requestedPriority: 'LOW' }).events;
    expect(ofType(events, 'SlaClockStarted').map((e) => e.data.metric)).toEqual(['FIRST_RESPONSE']);
  });

  it('an agent opens on a contact’s behalf, e.g. for a phone call', () => {
    const scenario = new TicketScenario('enterprise');
    scenario.run(openCommand({ channel: 'PHONE', organizationId: 'acme', contactId: 'c-anna' }), actors.agent, MONDAY_10_MSK);
    expect(scenario.events[0]!.data).toMatchObject({ contactId: 'c-anna', openedBy: 'a-alice', channel: 'PHONE' });
  });

  it.each([
    ['the free tier (self-service only)', 'free', openCommand(), actors.customer, 'RULE_VIOLATION', 'TIER_HAS_NO_TICKETS'],
    ['a channel the tier does not have', 'pro', openCommand({ channel: 'PHONE' }), actors.customer, 'RULE_VIOLATION', 'CHANNEL_NOT_IN_TIER'],
    ['a distributor contact', 'pro', openCommand(), actors.distributor, 'RULE_VIOLATION', 'DISTRIBUTOR_NOT_SUPPORTED'],
    ['a customer for another organization', 'pro', openCommand({ organizationId: 'globex' }), actors.customer, 'FORBIDDEN', 'OTHER_ORGANIZATION'],
    ['a customer as another contact', 'pro', openCommand({ contactId: 'c-dist' }), actors.customer, 'FORBIDDEN', 'OTHER_CONTACT'],
    ['an agent without a contact', 'pro', openCommand({ organizationId: 'acme' }), actors.agent, 'BAD_USER_INPUT', 'CONTACT_REQUIRED'],
    ['an agent for an unknown contact', 'pro', openCommand({ organizationId: 'acme', contactId: 'nobody' }), actors.agent, 'RULE_VIOLATION', 'NOT_A_CONTACT'],
    ['an unknown organization', 'pro', openCommand({ organizationId: 'nowhere', contactId: 'c-anna' }), actors.agent, 'NOT_FOUND', 'ORGANIZATION_NOT_FOUND'],
    ['an auditor', 'pro', openCommand({ organizationId: 'acme', contactId: 'c-anna' }), actors.auditor, 'FORBIDDEN', 'ROLE_NOT_ALLOWED'],
    ['a blank title', 'pro', openCommand({ title: '   ' }), actors.customer, 'RULE_VIOLATION', 'TITLE_REQUIRED'],
  ] as const)('refuses %s', (_name, tier, command, actor, code, rule) => {
    const error = new TicketScenario(tier).refused(command, actor, MONDAY_10_MSK);
    expect(error).toMatchObject({ code, rule });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('refuses a removed contact', () => {
    const org = evolveOrganization(organization(), {
      type: 'ContactRemoved',
      data: { organizationId: 'acme', contactId: 'c-anna', at: MONDAY_10_MSK.toISOString() },
    });
    expect(() => decideTicket(openCommand(), null, { ...context(actors.customer, MONDAY_10_MSK), organization: org })).toThrow(
      expect.objectContaining({ rule: 'NOT_A_CONTACT' }),
    );
  });

  it('refuses to open the same ticket id twice', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(openCommand(), actors.customer, at(MONDAY_10_MSK, HOUR))).toMatchObject({ rule: 'TICKET_EXISTS' });
  });

  it('uses the policy it is given', () => {
    expect(policy.version).toBe('test-2026-11');
  });
});
