import { SLA_METRICS } from '@tracedesk/sla';
import { requireText, ruleViolation } from '../../shared/domain-error.js';
import type { TicketCommand, TicketContext } from '../ticket.commands.js';
import type { TicketEvent } from '../ticket.events.js';
import { requireNotClosed, requireStaff, requireTicket } from '../ticket.guards.js';
import type { TicketDeciderState } from '../ticket.state.js';
import { breachIfDue, dueAt, isLive, pausedBusinessMs, slaFor, startClock } from '../sla-clocks.js';

/**
 * Sets the priority (triage). Live clocks are recalculated from their start under the new
 * priority's target and calendar, counting the pause already accrued; a clock whose new due
 * time has already passed breaches at once. A target the new priority has that the old one
 * lacked starts from the ticket's start (or, for next response, the unanswered reply).
 */
export function changePriority(
  command: Extract<TicketCommand, { type: 'ChangePriority' }>,
  state: TicketDeciderState,
  { actor, policy, now }: TicketContext,
): TicketEvent[] {
  requireTicket(state, command.ticketId, actor);
  requireStaff(actor, 'change the priority');
  requireNotClosed(state);
  const reason = requireText(command.reason, 'reason');
  if (command.priority === state.priority) {
    throw ruleViolation('SAME_PRIORITY', `Ticket ${state.id} already has priority ${state.priority}.`);
  }
  const sla = slaFor(policy, state.tier, command.priority);
  const at = now.toISOString();
  const events: TicketEvent[] = [
    { type: 'TicketPriorityChanged', data: { from: state.priority, to: command.priority, reason, calendar: sla.calendarName, at } },
  ];
  const reprioritized = { ...state, priority: command.priority };
  for (const metric of SLA_METRICS) {
    const clock = state.clocks[metric];
    const targetMs = sla.targets[metric];
    if (isLive(clock)) {
      if (targetMs === undefined) {
        events.push({
          type: 'SlaClockCancelled',
          data: { metric, reason: `No ${metric} target for ${state.tier} ${command.priority}`, at },
        });
        continue;
      }
      const paused = pausedBusinessMs(sla.calendar, clock.pauses, now);
      const running = clock.status === 'RUNNING';
      const due = running ? dueAt(sla.calendar, clock.startedAt, targetMs, paused).toISOString() : null;
      const warnAt = running ? dueAt(sla.calendar, clock.startedAt, Math.round(targetMs * sla.atRiskShare), paused).toISOString() : null;
      events.push({ type: 'SlaClockRescheduled', data: { metric, targetMs, calendar: sla.calendarName, dueAt: due, warnAt, at } });
      events.push(...breachIfDue(reprioritized, policy, { ...clock, calendar: sla.calendarName, dueAt: due }, now));
    } else if (!clock && targetMs !== undefined) {
      if (metric === 'FIRST_RESPONSE' && !state.firstRespondedAt) {
        events.push(...startClock(reprioritized, policy, metric, 1, state.openedAt, now));
      } else if (metric === 'RESOLUTION' && state.status !== 'RESOLVED') {
        events.push(...startClock(reprioritized, policy, metric, 1, state.openedAt, now));
      } else if (metric === 'NEXT_RESPONSE' && state.firstRespondedAt && state.unansweredCustomerReplyAt) {
        events.push(...startClock(reprioritized, policy, metric, 1, state.unansweredCustomerReplyAt, now));
      }
    }
  }
  return events;
}
