import {
  addBusinessTime,
  businessTimeBetween,
  resolveSla,
  type BusinessCalendar,
  type Priority,
  type ResolvedSla,
  type SlaMetric,
  type SlaPolicy,
} from '@tracedesk/sla';
import { ruleViolation } from '../shared/domain-error.js';
import type { TicketEvent } from './ticket.events.js';
import type { SlaClockState, TicketState } from './ticket.state.js';

/**
 * SLA clock arithmetic for the ticket decider. A clock's due time is its start plus its
 * target plus the business time it spent paused, all in the business time of its calendar.
 */
export function calendarNamed(policy: SlaPolicy, name: string): BusinessCalendar {
  const calendar = policy.calendars[name];
  if (!calendar) {
    throw ruleViolation('UNKNOWN_CALENDAR', `SLA policy ${policy.version} has no calendar "${name}" any more.`);
  }
  return calendar;
}

/** The (tier, priority) SLA, which must have a calendar: tiers that take tickets do. */
export function slaFor(policy: SlaPolicy, tier: string, priority: Priority): ResolvedSla & { calendarName: string } {
  const sla = resolveSla(policy, tier, priority);
  if (sla.calendarName === null) {
    throw ruleViolation('TIER_HAS_NO_CALENDAR', `Tier "${tier}" of SLA policy ${policy.version} has no business calendar.`);
  }
  return sla as ResolvedSla & { calendarName: string };
}

export function pausedBusinessMs(calendar: BusinessCalendar, pauses: SlaClockState['pauses'], until: Date): number {
  let total = 0;
  for (const pause of pauses) {
    const to = pause.to ? new Date(pause.to) : until;
    total += Math.max(0, businessTimeBetween(calendar, new Date(pause.from), to));
  }
  return total;
}

export function dueAt(calendar: BusinessCalendar, startedAt: string, targetMs: number, pausedMs: number): Date {
  return addBusinessTime(calendar, new Date(startedAt), targetMs + pausedMs);
}

/** Business time the clock has counted by `at`: elapsed since start minus pauses. */
export function elapsedBusinessMs(policy: SlaPolicy, clock: SlaClockState, at: Date): number {
  const calendar = calendarNamed(policy, clock.calendar);
  return Math.max(0, businessTimeBetween(calendar, new Date(clock.startedAt), at) - pausedBusinessMs(calendar, clock.pauses, at));
}

export const isLive = (clock: SlaClockState | undefined): clock is SlaClockState =>
  clock !== undefined && (clock.status === 'RUNNING' || clock.status === 'PAUSED');

/** Starts a clock at `startedAt` (not necessarily now), breaching at once if already due. */
export function startClock(
  state: Pick<TicketState, 'organizationId' | 'tier' | 'priority' | 'assigneeId' | 'group'>,
  policy: SlaPolicy,
  metric: SlaMetric,
  cycle: number,
  startedAt: string,
  now: Date,
): TicketEvent[] {
  const sla = slaFor(policy, state.tier, state.priority);
  const targetMs = sla.targets[metric];
  if (targetMs === undefined) return [];
  const due = dueAt(sla.calendar, startedAt, targetMs, 0);
  const warn = dueAt(sla.calendar, startedAt, Math.round(targetMs * sla.atRiskShare), 0);
  const started: TicketEvent = {
    type: 'SlaClockStarted',
    data: {
      metric,
      cycle,
      startedAt,
      targetMs,
      calendar: sla.calendarName,
      dueAt: due.toISOString(),
      warnAt: warn.toISOString(),
      at: now.toISOString(),
    },
  };
  return [started, ...breachIfDue(state, policy, { metric, cycle, calendar: sla.calendarName, dueAt: due.toISOString() }, now)];
}

/** A breach event when the due time has passed ("a target already passed breaches at once"). */
export function breachIfDue(
  state: Pick<TicketState, 'organizationId' | 'tier' | 'priority' | 'assigneeId' | 'group'>,
  policy: SlaPolicy,
  clock: Pick<SlaClockState, 'metric' | 'cycle' | 'calendar' | 'dueAt'>,
  now: Date,
  priority: Priority = state.priority,
): TicketEvent[] {
  if (clock.dueAt === null || new Date(clock.dueAt).getTime() > now.getTime()) return [];
  const calendar = calendarNamed(policy, clock.calendar);
  return [
    {
      type: 'SlaClockBreached',
      data: {
        metric: clock.metric,
        cycle: clock.cycle,
        dueAt: clock.dueAt,
        lateByBusinessMs: Math.max(0, businessTimeBetween(calendar, new Date(clock.dueAt), now)),
        organizationId: state.organizationId,
        tier: state.tier,
        priority,
        assigneeId: state.assigneeId,
        group: state.group,
        at: now.toISOString(),
      },
    },
  ];
}

/** Meets a live clock at `now` (an agent's public reply, or the resolution). */
export function meetClock(state: TicketState, policy: SlaPolicy, metric: SlaMetric, now: Date): TicketEvent[] {
  const clock = state.clocks[metric];
  // A breached clock is still answered (late): reports need the time it took.
  if (!clock) return [];
  const answerable = clock.status === 'RUNNING' || clock.status === 'PAUSED' || (clock.status === 'BREACHED' && clock.metAt === null);
  if (!answerable) return [];
  const calendar = calendarNamed(policy, clock.calendar);
  const paused = pausedBusinessMs(calendar, clock.pauses, now);
  return [
    {
      type: 'SlaClockMet',
      data: {
        metric,
        cycle: clock.cycle,
        dueAt: dueAt(calendar, clock.startedAt, clock.targetMs, paused).toISOString(),
        elapsedBusinessMs: elapsedBusinessMs(policy, clock, now),
        targetMs: clock.targetMs,
        at: now.toISOString(),
      },
    },
  ];
}

/** Resumes the resolution clock when the customer answers or the ticket is reopened. */
export function resumeClock(state: TicketState, policy: SlaPolicy, metric: SlaMetric, now: Date): TicketEvent[] {
  const clock = state.clocks[metric];
  if (!clock || (clock.status !== 'PAUSED' && clock.status !== 'MET')) return [];
  const calendar = calendarNamed(policy, clock.calendar);
  const pauses =
    clock.status === 'MET' && clock.metAt
      ? [...clock.pauses, { from: clock.metAt, to: now.toISOString() }]
      : clock.pauses.map((p) => (p.to === null ? { ...p, to: now.toISOString() } : p));
  const paused = pausedBusinessMs(calendar, pauses, now);
  const due = dueAt(calendar, clock.startedAt, clock.targetMs, paused).toISOString();
  const share = resolveSla(policy, state.tier, state.priority).atRiskShare;
  const warn = dueAt(calendar, clock.startedAt, Math.round(clock.targetMs * share), paused).toISOString();
  return [
    { type: 'SlaClockResumed', data: { metric, dueAt: due, warnAt: warn, pausedBusinessMs: paused, at: now.toISOString() } },
    ...breachIfDue(state, policy, { ...clock, dueAt: due }, now),
  ];
}

export function pauseClock(state: TicketState, metric: SlaMetric, now: Date): TicketEvent[] {
  return state.clocks[metric]?.status === 'RUNNING' ? [{ type: 'SlaClockPaused', data: { metric, at: now.toISOString() } }] : [];
}

/** Starts the next NEXT_RESPONSE cycle when a customer writes after the first response. */
export function startNextResponse(state: TicketState, policy: SlaPolicy, now: Date): TicketEvent[] {
  const previous = state.clocks.NEXT_RESPONSE;
  const cycle = (previous?.cycle ?? 0) + 1;
  if (!state.firstRespondedAt || isLive(previous)) return [];
  return startClock(state, policy, 'NEXT_RESPONSE', cycle, now.toISOString(), now);
}
