import { describe, expect, it } from '@jest/globals';
import { HOUR, MONDAY_10_MSK, TicketScenario, actors, at, ofType, types } from '../../testing/domain.fixtures.js';

const resolve = { type: 'ResolveTicket', ticketId: 'T-100', resolution: 'Re-encoded the video' } as const;
const reopen = (reason = 'It broke again') => ({ type: 'ReopenTicket', ticketId: 'T-100', reason }) as const;
const close = { type: 'CloseTicket', ticketId: 'T-100' } as const;

describe('resolve, reopen, close', () => {
  it('resolving answers the customer and meets the resolution clock; paused time is not counted', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'AwaitCustomer', ticketId: 'T-100', body: 'Which file?' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'intro.mp4' }, actors.customer, at(MONDAY_10_MSK, 3 * HOUR));
    const events = scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, 5 * HOUR));
    expect(types(events)).toEqual(['SlaClockMet', 'SlaClockMet', 'TicketResolved']);
    expect(ofType(events, 'SlaClockMet').map((e) => [e.data.metric, e.data.elapsedBusinessMs])).toEqual([
      ['NEXT_RESPONSE', 2 * HOUR],
      ['RESOLUTION', 3 * HOUR],
    ]);
    expect(events[2]!.data).toMatchObject({ resolutionBusinessMs: 3 * HOUR, pausedBusinessMs: 2 * HOUR });
    expect(scenario.state).toMatchObject({ status: 'RESOLVED', resolvedAt: at(MONDAY_10_MSK, 5 * HOUR).toISOString() });
  });

  it('a resolution without any reply counts as the first response', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(ofType(events, 'SlaClockMet').map((e) => e.data.metric)).toEqual(['FIRST_RESPONSE', 'RESOLUTION']);
    expect(scenario.state!.firstRespondedAt).toBe(at(MONDAY_10_MSK, HOUR).toISOString());
  });

  it('reopening resumes the resolution clock without counting the resolved interval', () => {
    const scenario = new TicketScenario().open();
    scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, HOUR));
    const events = scenario.run(reopen(), actors.customer, at(MONDAY_10_MSK, 4 * HOUR));
    expect(types(events)).toEqual(['TicketReopened', 'SlaClockResumed']);
    // 40 h + 3 h resolved from Monday 10:00 -> Thursday 17:00 MSK.
    expect(events[1]!.data).toMatchObject({ metric: 'RESOLUTION', pausedBusinessMs: 3 * HOUR, dueAt: '2026-11-26T14:00:00.000Z' });
    expect(scenario.state).toMatchObject({ status: 'OPEN', reopenCount: 1, resolvedAt: null });
    const again = scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, 6 * HOUR));
    expect(ofType(again, 'TicketResolved')[0]!.data).toMatchObject({ resolutionBusinessMs: 3 * HOUR, pausedBusinessMs: 3 * HOUR });
  });

  it('closing needs a resolved ticket, and a closed ticket refuses everything', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(close, actors.agent, MONDAY_10_MSK)).toMatchObject({ rule: 'NOT_RESOLVED' });
    scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(types(scenario.run(close, actors.customer, at(MONDAY_10_MSK, 2 * HOUR)))).toEqual(['TicketClosed']);
    expect(scenario.refused(reopen(), actors.agent, at(MONDAY_10_MSK, 3 * HOUR))).toMatchObject({ rule: 'TICKET_CLOSED' });
    expect(scenario.refused(close, actors.agent, at(MONDAY_10_MSK, 3 * HOUR))).toMatchObject({ rule: 'TICKET_CLOSED' });
    expect(
      scenario.refused({ type: 'ChangePriority', ticketId: 'T-100', priority: 'HIGH', reason: 'x' }, actors.agent, at(MONDAY_10_MSK, 3 * HOUR)),
    ).toMatchObject({ rule: 'TICKET_CLOSED' });
  });

  it('refuses to reopen a ticket that is not resolved, or without a reason', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(reopen(), actors.agent, MONDAY_10_MSK)).toMatchObject({ rule: 'NOT_RESOLVED' });
    scenario.run(resolve, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(scenario.refused(reopen(' '), actors.agent, at(MONDAY_10_MSK, 2 * HOUR))).toMatchObject({ rule: 'REASON_REQUIRED' });
    expect(scenario.refused(resolve, actors.agent, at(MONDAY_10_MSK, 2 * HOUR))).toMatchObject({ rule: 'ALREADY_RESOLVED' });
  });

  it('only staff resolve', () => {
    expect(new TicketScenario().open().refused(resolve, actors.customer, MONDAY_10_MSK)).toMatchObject({ code: 'FORBIDDEN' });
  });
});
