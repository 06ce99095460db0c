import { describe, expect, it } from '@jest/globals';
import { HOUR, MONDAY_10_MSK, TicketScenario, actors, at, types } from '../../testing/domain.fixtures.js';

const ask = { type: 'AwaitCustomer', ticketId: 'T-100', body: 'Please send a screenshot' } as const;

describe('await customer', () => {
  it('is a public reply that pauses the resolution clock', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(ask, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(types(events)).toEqual(['AgentReplied', 'SlaClockMet', 'TicketAwaitingCustomer', 'SlaClockPaused']);
    expect(scenario.state!.status).toBe('AWAITING_CUSTOMER');
    expect(scenario.state!.clocks.RESOLUTION).toMatchObject({ status: 'PAUSED', dueAt: null });
  });

  it('asking again while waiting does not pause twice', () => {
    const scenario = new TicketScenario().open();
    scenario.run(ask, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(types(scenario.run(ask, actors.agent, at(MONDAY_10_MSK, 2 * HOUR)))).toEqual(['AgentReplied']);
  });

  it('refuses customers and resolved tickets', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(ask, actors.customer, MONDAY_10_MSK)).toMatchObject({ code: 'FORBIDDEN' });
    scenario.run({ type: 'ResolveTicket', ticketId: 'T-100', resolution: 'Done' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(scenario.refused(ask, actors.agent, at(MONDAY_10_MSK, 2 * HOUR))).toMatchObject({ rule: 'TICKET_RESOLVED' });
  });
});
