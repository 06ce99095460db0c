import { describe, expect, it } from '@jest/globals';
import { MINUTE, MONDAY_10_MSK, TicketScenario, actors, at, types } from '../../testing/domain.fixtures.js';

const assign = (assigneeId = 'a-alice', group = 'video') => ({ type: 'AssignTicket', ticketId: 'T-100', assigneeId, group }) as const;

describe('assign ticket', () => {
  it('assigns to an agent in a group and opens a new ticket', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(assign(), actors.supervisor, at(MONDAY_10_MSK, MINUTE));
    expect(events).toEqual([
      { type: 'TicketAssigned', data: { assigneeId: 'a-alice', group: 'video', previousAssigneeId: null, previousGroup: null, at: at(MONDAY_10_MSK, MINUTE).toISOString() } },
    ]);
    expect(scenario.state).toMatchObject({ status: 'OPEN', assigneeId: 'a-alice', group: 'video' });
    const reassigned = scenario.run(assign('a-bob', 'tech'), actors.agent, at(MONDAY_10_MSK, 2 * MINUTE));
    expect(reassigned[0]!.data).toMatchObject({ previousAssigneeId: 'a-alice', previousGroup: 'video' });
  });

  it('records nothing when the assignment does not change', () => {
    const scenario = new TicketScenario().open();
    scenario.run(assign(), actors.agent, MONDAY_10_MSK);
    expect(types(scenario.run(assign(), actors.agent, at(MONDAY_10_MSK, MINUTE)))).toEqual([]);
  });

  it('refuses customers and blank assignees', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(assign(), actors.customer, MONDAY_10_MSK)).toMatchObject({ code: 'FORBIDDEN' });
    expect(scenario.refused(assign(' '), actors.agent, MONDAY_10_MSK)).toMatchObject({ rule: 'ASSIGNEEID_REQUIRED' });
  });
});
