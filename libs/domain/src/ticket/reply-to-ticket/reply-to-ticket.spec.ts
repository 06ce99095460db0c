import { describe, expect, it } from '@jest/globals';
import { HOUR, MINUTE, MONDAY_10_MSK, TicketScenario, actors, at, ofType, types } from '../../testing/domain.fixtures.js';

const reply = (body = 'We are looking into it') => ({ type: 'ReplyToTicket', ticketId: 'T-100', body }) as const;

describe('reply to ticket', () => {
  it('the first agent reply meets the first-response clock and opens the ticket', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(reply(), actors.agent, at(MONDAY_10_MSK, 90 * MINUTE));
    expect(types(events)).toEqual(['AgentReplied', 'SlaClockMet']);
    expect(events[1]!.data).toMatchObject({ metric: 'FIRST_RESPONSE', elapsedBusinessMs: 90 * MINUTE, targetMs: 8 * HOUR });
    expect(scenario.state).toMatchObject({ status: 'OPEN', firstRespondedAt: at(MONDAY_10_MSK, 90 * MINUTE).toISOString() });
    expect(types(scenario.run(reply('More'), actors.agent, at(MONDAY_10_MSK, 2 * HOUR)))).toEqual(['AgentReplied']);
  });

  it('an internal note never meets an SLA', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run({ type: 'AddInternalNote', ticketId: 'T-100', body: 'Probably the CDN' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(types(events)).toEqual(['InternalNoteAdded']);
    expect(scenario.state).toMatchObject({ status: 'NEW', firstRespondedAt: null });
    expect(scenario.state!.clocks.FIRST_RESPONSE!.status).toBe('RUNNING');
  });

  it('a customer reply after the first response starts next response; the next agent reply meets it', () => {
    const scenario = new TicketScenario().open();
    scenario.run(reply(), actors.agent, at(MONDAY_10_MSK, HOUR));
    const customer = scenario.run(reply('Still broken'), actors.customer, at(MONDAY_10_MSK, 2 * HOUR));
    expect(types(customer)).toEqual(['CustomerReplied', 'SlaClockStarted']);
    expect(customer[1]!.data).toMatchObject({ metric: 'NEXT_RESPONSE', cycle: 1, dueAt: '2026-11-23T17:00:00.000Z' });
    const second = scenario.run(reply('Still broken!'), actors.customer, at(MONDAY_10_MSK, 3 * HOUR));
    expect(types(second)).toEqual(['CustomerReplied']);
    const answer = scenario.run(reply('Fixed the CDN'), actors.agent, at(MONDAY_10_MSK, 4 * HOUR));
    expect(ofType(answer, 'SlaClockMet')[0]!.data).toMatchObject({ metric: 'NEXT_RESPONSE', cycle: 1, elapsedBusinessMs: 2 * HOUR });
    const again = scenario.run(reply('Now audio'), actors.customer, at(MONDAY_10_MSK, 5 * HOUR));
    expect(ofType(again, 'SlaClockStarted')[0]!.data).toMatchObject({ metric: 'NEXT_RESPONSE', cycle: 2 });
  });

  it('a customer reply before any first response starts no next-response clock', () => {
    const scenario = new TicketScenario().open();
    expect(types(scenario.run(reply('Extra detail'), actors.customer, at(MONDAY_10_MSK, HOUR)))).toEqual(['CustomerReplied']);
  });

  it('a customer reply to a ticket waiting on them resumes the resolution clock', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'AwaitCustomer', ticketId: 'T-100', body: 'Which browser?' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    const events = scenario.run(reply('Firefox'), actors.customer, at(MONDAY_10_MSK, 3 * HOUR));
    expect(types(events)).toEqual(['CustomerReplied', 'SlaClockResumed', 'SlaClockStarted']);
    expect(events[1]!.data).toMatchObject({ metric: 'RESOLUTION', pausedBusinessMs: 2 * HOUR, dueAt: '2026-11-26T13:00:00.000Z' });
    expect(scenario.state!.status).toBe('OPEN');
  });

  it('a customer reply to a resolved ticket reopens it', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'ResolveTicket', ticketId: 'T-100', resolution: 'Cleared cache' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    const events = scenario.run(reply('It is back'), actors.customer, at(MONDAY_10_MSK, 2 * HOUR));
    expect(types(events)).toEqual(['TicketReopened', 'SlaClockResumed', 'CustomerReplied', 'SlaClockStarted']);
    expect(scenario.state).toMatchObject({ status: 'OPEN', reopenCount: 1 });
  });

  it.each([
    ['a customer of another organization (as not found)', actors.otherCustomer, 'NOT_FOUND'],
    ['an analyst', actors.analyst, 'FORBIDDEN'],
    ['an administrator', actors.admin, 'FORBIDDEN'],
  ] as const)('refuses %s', (_name, actor, code) => {
    expect(new TicketScenario().open().refused(reply(), actor, at(MONDAY_10_MSK, HOUR))).toMatchObject({ code });
  });

  it('refuses an empty body and a closed ticket', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused(reply(' '), actors.agent, at(MONDAY_10_MSK, HOUR))).toMatchObject({ rule: 'BODY_REQUIRED' });
    scenario.run({ type: 'ResolveTicket', ticketId: 'T-100', resolution: 'Done' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    scenario.run({ type: 'CloseTicket', ticketId: 'T-100' }, actors.agent, at(MONDAY_10_MSK, 2 * HOUR));
    expect(scenario.refused(reply(), actors.customer, at(MONDAY_10_MSK, 3 * HOUR))).toMatchObject({ rule: 'TICKET_CLOSED' });
  });

  it('an internal note is for staff only', () => {
    const scenario = new TicketScenario().open();
    expect(scenario.refused({ type: 'AddInternalNote', ticketId: 'T-100', body: 'x' }, actors.customer, MONDAY_10_MSK)).toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});
