import { describe, expect, it } from '@jest/globals';
import { HOUR, MINUTE, MONDAY_10_MSK, TicketScenario, actors, at, ofType, types } from '../../testing/domain.fixtures.js';

const change = (priority: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW', reason = 'Payments fail for all users') =>
  ({ type: 'ChangePriority', ticketId: 'T-100', priority, reason }) as const;

describe('change priority', () => {
  it('recalculates due times from the ticket’s start under the new target', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(change('CRITICAL'), actors.agent, at(MONDAY_10_MSK, 30 * MINUTE));
    expect(types(events)).toEqual(['TicketPriorityChanged', 'SlaClockRescheduled', 'SlaClockRescheduled']);
    expect(events[0]!.data).toMatchObject({ from: 'MEDIUM', to: 'CRITICAL', reason: 'Payments fail for all users' });
    expect(ofType(events, 'SlaClockRescheduled').map((e) => [e.data.metric, e.data.dueAt])).toEqual([
      ['FIRST_RESPONSE', '2026-11-23T08:00:00.000Z'],
      ['RESOLUTION', '2026-11-23T15:00:00.000Z'],
    ]);
    expect(scenario.state!.priority).toBe('CRITICAL');
  });

  it('breaches at once a target already passed, with how late in business time', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(change('CRITICAL'), actors.agent, at(MONDAY_10_MSK, 2 * HOUR));
    const breach = ofType(events, 'SlaClockBreached');
    expect(breach).toHaveLength(1);
    expect(breach[0]!.data).toMatchObject({ metric: 'FIRST_RESPONSE', dueAt: '2026-11-23T08:00:00.000Z', lateByBusinessMs: HOUR, priority: 'CRITICAL' });
    expect(scenario.state!.clocks.FIRST_RESPONSE!.status).toBe('BREACHED');
  });

  it('moves to the 24/7 calendar when the tier says so for the new priority', () => {
    const friday19 = new Date('2026-11-27T16:00:00.000Z');
    const scenario = new TicketScenario('enterprise').open(friday19, { requestedPriority: 'HIGH' });
    expect(scenario.state!.clocks.FIRST_RESPONSE!.dueAt).toBe('2026-11-30T06:00:00.000Z');
    const events = scenario.run(change('CRITICAL'), actors.agent, at(friday19, 10 * MINUTE));
    expect(events[0]!.data).toMatchObject({ calendar: 'always' });
    expect(ofType(events, 'SlaClockRescheduled')[0]!.data).toMatchObject({ calendar: 'always', dueAt: '2026-11-27T16:30:00.000Z' });
  });

  it('keeps the pause already accrued', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'AwaitCustomer', ticketId: 'T-100', body: 'Which browser?' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'Firefox' }, actors.customer, at(MONDAY_10_MSK, 3 * HOUR));
    // 40 h + 2 h paused from Monday 10:00 -> Thursday 16:00 MSK.
    expect(scenario.state!.clocks.RESOLUTION!.dueAt).toBe('2026-11-26T13:00:00.000Z');
    const events = scenario.run(change('HIGH'), actors.agent, at(MONDAY_10_MSK, 4 * HOUR));
    // 24 h + 2 h paused from Monday 10:00 -> Wednesday 12:00 MSK.
    expect(ofType(events, 'SlaClockRescheduled').find((e) => e.data.metric === 'RESOLUTION')!.data.dueAt).toBe('2026-11-25T09:00:00.000Z');
  });

  it('keeps a paused clock paused, with no due time', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'AwaitCustomer', ticketId: 'T-100', body: 'Which browser?' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    const events = scenario.run(change('HIGH'), actors.agent, at(MONDAY_10_MSK, 2 * HOUR));
    expect(ofType(events, 'SlaClockRescheduled').map((e) => [e.data.metric, e.data.dueAt])).toEqual([['RESOLUTION', null]]);
    expect(scenario.state!.clocks.RESOLUTION!.status).toBe('PAUSED');
  });

  it('cancels a clock the new priority has no target for, and starts one it gains', () => {
    const scenario = new TicketScenario().open();
    const lowered = scenario.run(change('LOW', 'How-to question'), actors.agent, at(MONDAY_10_MSK, MINUTE));
    expect(ofType(lowered, 'SlaClockCancelled').map((e) => e.data.metric)).toEqual(['RESOLUTION']);
    expect(scenario.state!.clocks.RESOLUTION).toBeUndefined();
    const raised = scenario.run(change('HIGH', 'Upload broken'), actors.agent, at(MONDAY_10_MSK, 2 * MINUTE));
    const started = ofType(raised, 'SlaClockStarted');
    expect(started.map((e) => [e.data.metric, e.data.startedAt, e.data.dueAt])).toEqual([
      ['RESOLUTION', MONDAY_10_MSK.toISOString(), '2026-11-25T07:00:00.000Z'],
    ]);
  });

  it('leaves met and breached clocks as they were decided', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'Looking' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    const events = scenario.run(change('LOW', 'Not urgent after all'), actors.agent, at(MONDAY_10_MSK, 2 * HOUR));
    expect(events.some((e) => 'metric' in e.data && e.data.metric === 'FIRST_RESPONSE')).toBe(false);
    expect(scenario.state!.clocks.FIRST_RESPONSE!.status).toBe('MET');
  });

  it.each([
    ['without a reason', change('HIGH', '  '), actors.agent, 'RULE_VIOLATION', 'REASON_REQUIRED'],
    ['to the same priority', change('MEDIUM'), actors.agent, 'RULE_VIOLATION', 'SAME_PRIORITY'],
    ['by a customer', change('CRITICAL'), actors.customer, 'FORBIDDEN', 'ROLE_NOT_ALLOWED'],
    ['by an auditor', change('CRITICAL'), actors.auditor, 'FORBIDDEN', 'ROLE_NOT_ALLOWED'],
  ] as const)('refuses a change %s', (_name, command, actor, code, rule) => {
    expect(new TicketScenario().open().refused(command, actor, at(MONDAY_10_MSK, MINUTE))).toMatchObject({ code, rule });
  });

  it('refuses an unknown ticket', () => {
    expect(new TicketScenario().refused(change('HIGH'), actors.agent, MONDAY_10_MSK)).toMatchObject({ code: 'NOT_FOUND' });
  });
});
