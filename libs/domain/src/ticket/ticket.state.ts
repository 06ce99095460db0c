import type { Channel, Priority, SlaMetric } from '@tracedesk/sla';
import type { EscalationLevel, TicketEvent, TicketStatus, TicketType } from './ticket.events.js';

export type SlaClockStatus = 'RUNNING' | 'PAUSED' | 'MET' | 'BREACHED';

export interface SlaClockState {
  metric: SlaMetric;
  status: SlaClockStatus;
  /** NEXT_RESPONSE restarts at every unanswered customer reply; each start is a new cycle. */
  cycle: number;
  startedAt: string;
  targetMs: number;
  calendar: string;
  /** Null while paused. */
  dueAt: string | null;
  /** When the at-risk warning falls due; null while paused. */
  warnAt: string | null;
  /** Intervals that do not count (awaiting the customer; resolved until reopened). */
  pauses: Array<{ from: string; to: string | null }>;
  metAt: string | null;
  breachedAt: string | null;
  atRiskAt: string | null;
}

export interface TicketState {
  id: string;
  organizationId: string;
  contactId: string;
  title: string;
  description: string;
  channel: Channel;
  type: TicketType;
  status: TicketStatus;
  priority: Priority;
  requestedPriority: Priority | null;
  tier: string;
  calendar: string;
  policyVersion: string;
  assigneeId: string | null;
  group: string | null;
  escalationLevel: EscalationLevel;
  openedAt: string;
  firstRespondedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  /** When the oldest customer reply that no agent has answered yet was written. */
  unansweredCustomerReplyAt: string | null;
  clocks: Partial<Record<SlaMetric, SlaClockState>>;
  /** Intervals that do not count towards resolution: awaiting the customer, resolved until reopened. */
  pauses: Array<{ from: string; to: string | null }>;
  reopenCount: number;
  breachCount: number;
}

/** No ticket yet: the stream does not exist. */
export type TicketDeciderState = TicketState | null;

export const initialTicketState = (): TicketDeciderState => null;

function updateClock(state: TicketState, metric: SlaMetric, change: (clock: SlaClockState) => SlaClockState): TicketState {
  const clock = state.clocks[metric];
  if (!clock) return state;
  return { ...state, clocks: { ...state.clocks, [metric]: change(clock) } };
}

const closeOpenPause = (pauses: SlaClockState['pauses'], at: string): SlaClockState['pauses'] =>
  pauses.map((p) => (p.to === null ? { ...p, to: at } : p));

/** The status a ticket moves to on an event (shared by `evolveTicket` and the projections). */
export function ticketStatusAfter(status: TicketStatus, event: TicketEvent): TicketStatus {
  switch (event.type) {
    case 'TicketOpened':
      return 'NEW';
    case 'TicketAssigned':
    case 'AgentReplied':
    case 'TicketEscalated':
      return status === 'NEW' ? 'OPEN' : status;
    case 'CustomerReplied':
      return status === 'AWAITING_CUSTOMER' ? 'OPEN' : status;
    case 'TicketAwaitingCustomer':
      return 'AWAITING_CUSTOMER';
    case 'TicketResolved':
      return 'RESOLVED';
    case 'TicketReopened':
      return 'OPEN';
    case 'TicketClosed':
      return 'CLOSED';
    default:
      return status;
  }
}

export function evolveTicket(state: TicketDeciderState, event: TicketEvent): TicketDeciderState {
  const next = evolveFields(state, event);
  return next && { ...next, status: ticketStatusAfter(state?.status ?? 'NEW', event) };
}

function evolveFields(state: TicketDeciderState, event: TicketEvent): TicketDeciderState {
  if (event.type === 'TicketOpened') {
    const d = event.data;
    return {
      id: d.ticketId,
      organizationId: d.organizationId,
      contactId: d.contactId,
      title: d.title,
      description: d.description,
      channel: d.channel,
      type: d.type,
      status: 'NEW',
      priority: d.priority,
      requestedPriority: d.requestedPriority,
      tier: d.tier,
      calendar: d.calendar,
      policyVersion: d.policyVersion,
      assigneeId: null,
      group: null,
      escalationLevel: 0,
      openedAt: d.at,
      firstRespondedAt: null,
      resolvedAt: null,
      closedAt: null,
      unansweredCustomerReplyAt: null,
      clocks: {},
      pauses: [],
      reopenCount: 0,
      breachCount: 0,
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'SlaClockStarted': {
      const d = event.data;
      const clock: SlaClockState = {
        metric: d.metric,
        status: 'RUNNING',
        cycle: d.cycle,
        startedAt: d.startedAt,
        targetMs: d.targetMs,
        calendar: d.calendar,
        dueAt: d.dueAt,
        warnAt: d.warnAt,
        pauses: [],
        metAt: null,
        breachedAt: null,
        atRiskAt: null,
      };
      return { ...state, clocks: { ...state.clocks, [d.metric]: clock } };
    }
    case 'TicketPriorityChanged':
      return { ...state, priority: event.data.to, calendar: event.data.calendar };
    case 'SlaClockRescheduled': {
      const { targetMs, calendar, dueAt, warnAt } = event.data;
      return updateClock(state, event.data.metric, (c) => ({ ...c, targetMs, calendar, dueAt, warnAt, atRiskAt: null }));
    }
    case 'SlaClockCancelled': {
      const clocks = { ...state.clocks };
      delete clocks[event.data.metric];
      return { ...state, clocks };
    }
    case 'TicketAssigned':
      return { ...state, assigneeId: event.data.assigneeId, group: event.data.group };
    case 'AgentReplied':
      return { ...state, firstRespondedAt: state.firstRespondedAt ?? event.data.at, unansweredCustomerReplyAt: null };
    case 'CustomerReplied':
      return {
        ...state,
        pauses: state.status === 'AWAITING_CUSTOMER' ? closeOpenPause(state.pauses, event.data.at) : state.pauses,
        unansweredCustomerReplyAt: state.unansweredCustomerReplyAt ?? event.data.at,
      };
    case 'InternalNoteAdded':
      return state;
    case 'TicketAwaitingCustomer':
      return { ...state, pauses: [...state.pauses, { from: event.data.at, to: null }] };
    case 'SlaClockPaused':
      return updateClock(state, event.data.metric, (c) => ({
        ...c,
        status: 'PAUSED',
        dueAt: null,
        warnAt: null,
        pauses: [...c.pauses, { from: event.data.at, to: null }],
      }));
    case 'SlaClockResumed':
      return updateClock(state, event.data.metric, (c) => ({
        ...c,
        status: 'RUNNING',
        dueAt: event.data.dueAt,
        warnAt: event.data.warnAt,
        // A paused clock closes its pause; a met clock (ticket reopened) counts the resolved
        // interval as a pause.
        pauses: c.status === 'MET' && c.metAt ? [...c.pauses, { from: c.metAt, to: event.data.at }] : closeOpenPause(c.pauses, event.data.at),
        metAt: null,
      }));
    case 'SlaClockMet':
      // A clock answered after its breach stays breached; the answer time is still recorded.
      return updateClock(state, event.data.metric, (c) => ({
        ...c,
        status: c.status === 'BREACHED' ? 'BREACHED' : 'MET',
        metAt: event.data.at,
        pauses: closeOpenPause(c.pauses, event.data.at),
      }));
    case 'SlaClockAtRisk':
      return updateClock(state, event.data.metric, (c) => ({ ...c, atRiskAt: event.data.at }));
    case 'SlaClockBreached':
      return {
        ...updateClock(state, event.data.metric, (c) => ({ ...c, status: 'BREACHED', breachedAt: event.data.at })),
        breachCount: state.breachCount + 1,
      };
    case 'TicketEscalated':
      return { ...state, escalationLevel: event.data.to };
    case 'TicketResolved':
      return {
        ...state,
        resolvedAt: event.data.at,
        firstRespondedAt: state.firstRespondedAt ?? event.data.at,
        unansweredCustomerReplyAt: null,
        pauses: closeOpenPause(state.pauses, event.data.at),
      };
    case 'TicketReopened':
      return {
        ...state,
        resolvedAt: null,
        reopenCount: state.reopenCount + 1,
        pauses: state.resolvedAt ? [...state.pauses, { from: state.resolvedAt, to: event.data.at }] : state.pauses,
      };
    case 'TicketClosed':
      return { ...state, closedAt: event.data.at };
  }
}
