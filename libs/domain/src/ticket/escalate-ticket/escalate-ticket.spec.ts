import { describe, expect, it } from '@jest/globals';
import { HOUR, MINUTE, MONDAY_10_MSK, TicketScenario, actors, at, types } from '../../testing/domain.fixtures.js';

const escalate = (level: number, reason = 'Needs the video pipeline team') =>
  ({ type: 'EscalateTicket', ticketId: 'T-100', level: level as 1 | 2 | 3, reason }) as const;

describe('escalate ticket', () => {
  it('goes upwards with a reason, naming the kind of escalation', () => {
    const scenario = new TicketScenario().open();
    const events = scenario.run(escalate(2), actors.agent, at(MONDAY_10_MSK, MINUTE));
    expect(events[0]).toEqual({
      type: 'TicketEscalated',
      data: { from: 0, to: 2, kind: 'FUNCTIONAL', reason: 'Needs the video pipeline team', rule: null, at: at(MONDAY_10_MSK, MINUTE).toISOString() },
    });
    expect(scenario.state!.escalationLevel).toBe(2);
    expect(scenario.run(escalate(3, 'Customer threatens to cancel'), actors.supervisor, at(MONDAY_10_MSK, HOUR))[0]!.data).toMatchObject({
      from: 2,
      to: 3,
      kind: 'HIERARCHICAL',
    });
  });

  it.each([
    ['downwards', 1, 'RULE_VIOLATION', 'ESCALATION_NOT_UPWARD'],
    ['to the same level', 2, 'RULE_VIOLATION', 'ESCALATION_NOT_UPWARD'],
    ['to a level that does not exist', 4, 'BAD_USER_INPUT', 'INVALID_ESCALATION_LEVEL'],
  ] as const)('refuses an escalation %s', (_name, level, code, rule) => {
    const scenario = new TicketScenario().open();
    scenario.run(escalate(2), actors.agent, MONDAY_10_MSK);
    expect(scenario.refused(escalate(level), actors.agent, at(MONDAY_10_MSK, MINUTE))).toMatchObject({ code, rule });
  });

  it('always needs a reason', () => {
    expect(new TicketScenario().open().refused(escalate(2, ''), actors.agent, MONDAY_10_MSK)).toMatchObject({ rule: 'REASON_REQUIRED' });
  });

  it('a customer may go to the head of support only once the first response is overdue', () => {
    const scenario = new TicketScenario().open();
    // MEDIUM: first response due Monday 18:00 MSK.
    expect(scenario.refused(escalate(3, 'No answer'), actors.customer, at(MONDAY_10_MSK, 7 * HOUR))).toMatchObject({
      rule: 'ESCALATION_NOT_YET_ALLOWED',
    });
    expect(scenario.refused(escalate(2, 'No answer'), actors.customer, at(MONDAY_10_MSK, 9 * HOUR))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(types(scenario.run(escalate(3, 'No answer'), actors.customer, at(MONDAY_10_MSK, 8 * HOUR)))).toEqual(['TicketEscalated']);
  });

  it('a customer whose ticket was answered cannot escalate', () => {
    const scenario = new TicketScenario().open();
    scenario.run({ type: 'ReplyToTicket', ticketId: 'T-100', body: 'On it' }, actors.agent, at(MONDAY_10_MSK, HOUR));
    expect(scenario.refused(escalate(3, 'Slow'), actors.customer, at(MONDAY_10_MSK, 9 * HOUR))).toMatchObject({
      rule: 'ESCALATION_NOT_YET_ALLOWED',
    });
  });

  it('a policy rule escalates as system, and records nothing when the level is already reached', () => {
    const scenario = new TicketScenario().open();
    const rule = { id: 'onBreach.FIRST_RESPONSE', role: 'system' } as const;
    expect(scenario.run(escalate(3, 'FIRST_RESPONSE breached'), rule, at(MONDAY_10_MSK, 8 * HOUR))[0]!.data).toMatchObject({ rule: 'onBreach.FIRST_RESPONSE', to: 3 });
    expect(scenario.run(escalate(3, 'FIRST_RESPONSE breached'), rule, at(MONDAY_10_MSK, 9 * HOUR))).toEqual([]);
  });

  it('refuses read-only roles', () => {
    expect(new TicketScenario().open().refused(escalate(2), actors.analyst, MONDAY_10_MSK)).toMatchObject({ code: 'FORBIDDEN' });
  });
});
