import { describe, expect, it } from '@jest/globals';
import { HOUR, MINUTE, MONDAY_10_MSK, TicketScenario, actors, at, types } from '../../testing/domain.fixtures.js';

const breach = (metric: 'FIRST_RESPONSE' | 'RESOLUTION' = 'FIRST_RESPONSE') => ({ type: 'RecordSlaBreach', ticketId: 'T-100', metric }) as const;

describe('record SLA breach (from the deadline watcher)', () => {
  it('breaches a running clock past its due time, once', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'AssignTicket', ticketId: 'T-100', assigneeId: 'a-alice', group: 'video' }, actors.agent, MONDAY_10_MSK);
    const events = scenario.run(breach(), actors.system, at(MONDAY_10_MSK, 8 * HOUR + MINUTE));
    expect(events).toEqual([
      {
        type: 'SlaClockBreached',
        data: {
          metric: 'FIRST_RESPONSE',
          cycle: 1,
          dueAt: '2026-11-23T15:00:00.000Z',
          lateByBusinessMs: MINUTE,
          organizationId: 'acme',
          tier: 'pro',
          priority: 'MEDIUM',
          assigneeId: 'a-alice',
          group: 'video',
          at: at(MONDAY_10_MSK, 8 * HOUR + MINUTE).toISOString(),
        },
      },
    ]);
    expect(scenario.run(breach(), actors.system, at(MONDAY_10_MSK, 9 * HOUR))).toEqual([]);
    expect(scenario.state).toMatchObject({ breachCount: 1 });
  });

  it('records nothing before the due time, for a met clock, or for a paused clock', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.run(breach(), actors.system, at(MONDAY_10_MSK, 8 * HOUR - 1))).toEqual([]);
    scenario.run({ type: 'AwaitCustomer', ticketId: 'T-100', body: 'Which?' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(scenario.run(breach(), actors.system, at(MONDAY_10_MSK, 9 * HOUR))).toEqual([]);
    expect(scenario.run(breach('RESOLUTION'), actors.system, new Date('2027-02-01T00:00:00Z'))).toEqual([]);
  });

  it('a first response after the breach is still recorded, and the clock stays breached', () => {
    const scenario = new TicketScenario().open();
    scenario.run(breach(), actors.system, at(MONDAY_10_MSK, 9 * HOUR));
    const events = scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'Sorry' }, actors.agent, at(MONDAY_10_MSK, 10 * HOUR));
    expect(types(events)).toEqual(['AgentReplied', 'SlaClockMet']);
    expect(events[1]!.data).toMatchObject({ metric: 'FIRST_RESPONSE', elapsedBusinessMs: 10 * HOUR, targetMs: 8 * HOUR });
    expect(scenario.state).toMatchObject({ firstRespondedAt: at(MONDAY_10_MSK, 10 * HOUR).toISOString() });
    expect(scenario.state!.clocks.FIRST_RESPONSE).toMatchObject({ status: 'BREACHED', metAt: at(MONDAY_10_MSK, 10 * HOUR).toISOString() });
    // Answered once: a second reply meets nothing.
    expect(types(scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'More' }, actors.agent, at(MONDAY_10_MSK, 11 * HOUR)))).toEqual(['AgentReplied']);
  });

  it('only the system records breaches', () => {
    expect(new TicketScenario().open().refused(breach(), actors.supervisor, at(MONDAY_10_MSK, 9 * HOUR))).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('record SLA at risk', () => {
  const atRisk = { type: 'RecordSlaAtRisk', ticketId: 'T-100', metric: 'FIRST_RESPONSE' } as const;
  it('warns once when 80% of the target is used', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.run(atRisk, actors.system, at(MONDAY_10_MSK, 6 * HOUR))).toEqual([]);
    const events = scenario.run(atRisk, actors.system, at(MONDAY_10_MSK, 6.5 * HOUR));
    expect(events[0]).toMatchObject({ type: 'SlaClockAtRisk', data: { metric: 'FIRST_RESPONSE', remainingBusinessMs: 1.5 * HOUR } });
    expect(scenario.run(atRisk, actors.system, at(MONDAY_10_MSK, 7 * HOUR))).toEqual([]);
  });
});
