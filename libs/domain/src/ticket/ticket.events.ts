import type { Channel, Priority, SlaMetric } from '@tracedesk/sla';

export type TicketType = 'QUESTION' | 'PROBLEM' | 'SERVICE_REQUEST';
export const TICKET_TYPES: readonly TicketType[] = ['QUESTION', 'PROBLEM', 'SERVICE_REQUEST'];
export type TicketStatus = 'NEW' | 'OPEN' | 'AWAITING_CUSTOMER' | 'RESOLVED' | 'CLOSED';
/** 0 = not escalated, 1 = frontline lead, 2 = technical team (functional), 3 = head of support (hierarchical). */
export type EscalationLevel = 0 | 1 | 2 | 3;

/**
 * Every ticket event carries `at` (the decision time from the injected clock) and, where the
 * SLA is concerned, the figures the decision was based on (due times, business durations), so
 * a history can be replayed and explained without the policy that produced it.
 */
export type TicketEvent =
  | {
      type: 'TicketOpened';
      data: {
        ticketId: string;
        organizationId: string;
        contactId: string;
        openedBy: string;
        channel: Channel;
        type: TicketType;
        title: string;
        description: string;
        priority: Priority;
        requestedPriority: Priority | null;
        tier: string;
        calendar: string;
        policyVersion: string;
        at: string;
      };
    }
  | {
      type: 'SlaClockStarted';
      data: {
        metric: SlaMetric;
        cycle: number;
        startedAt: string;
        targetMs: number;
        calendar: string;
        dueAt: string;
        /** When the clock will have used the policy's at-risk share of its target. */
        warnAt: string;
        at: string;
      };
    }
  | { type: 'TicketPriorityChanged'; data: { from: Priority; to: Priority; reason: string; calendar: string; at: string } }
  | {
      type: 'SlaClockRescheduled';
      /** `dueAt` is null while the clock is paused. */
      data: { metric: SlaMetric; targetMs: number; calendar: string; dueAt: string | null; warnAt: string | null; at: string };
    }
  | { type: 'SlaClockCancelled'; data: { metric: SlaMetric; reason: string; at: string } }
  | {
      type: 'TicketAssigned';
      data: { assigneeId: string; group: string; previousAssigneeId: string | null; previousGroup: string | null; at: string };
    }
  | { type: 'AgentReplied'; data: { authorId: string; body: string; at: string } }
  | { type: 'CustomerReplied'; data: { authorId: string; body: string; at: string } }
  | { type: 'InternalNoteAdded'; data: { authorId: string; body: string; at: string } }
  | { type: 'TicketAwaitingCustomer'; data: { at: string } }
  | { type: 'SlaClockPaused'; data: { metric: SlaMetric; at: string } }
  | { type: 'SlaClockResumed'; data: { metric: SlaMetric; dueAt: string; warnAt: string; pausedBusinessMs: number; at: string } }
  | {
      type: 'SlaClockMet';
      data: { metric: SlaMetric; cycle: number; dueAt: string; elapsedBusinessMs: number; targetMs: number; at: string };
    }
  | {
      type: 'SlaClockAtRisk';
      data: { metric: SlaMetric; cycle: number; dueAt: string; remainingBusinessMs: number; at: string };
    }
  | {
      type: 'SlaClockBreached';
      data: {
        metric: SlaMetric;
        cycle: number;
        dueAt: string;
        /** Business time between the due time and the detection (`at`). */
        lateByBusinessMs: number;
        organizationId: string;
        tier: string;
        priority: Priority;
        assigneeId: string | null;
        group: string | null;
        at: string;
      };
    }
  | {
      type: 'TicketEscalated';
      data: {
        from: EscalationLevel;
        to: EscalationLevel;
        kind: 'FRONTLINE' | 'FUNCTIONAL' | 'HIERARCHICAL';
        reason: string;
        /** Set when a policy rule escalated (e.g. `onBreach.FIRST_RESPONSE`), not a person. */
        rule: string | null;
        at: string;
      };
    }
  | {
      type: 'TicketResolved';
      data: { resolution: string; resolutionBusinessMs: number; pausedBusinessMs: number; at: string };
    }
  | { type: 'TicketReopened'; data: { reason: string; at: string } }
  | { type: 'TicketClosed'; data: { at: string } };

export type TicketEventType = TicketEvent['type'];
export const TICKET_EVENT_TYPES: readonly TicketEventType[] = [
  'TicketOpened',
  'SlaClockStarted',
  'TicketPriorityChanged',
  'SlaClockRescheduled',
  'SlaClockCancelled',
  'TicketAssigned',
  'AgentReplied',
  'CustomerReplied',
  'InternalNoteAdded',
  'TicketAwaitingCustomer',
  'SlaClockPaused',
  'SlaClockResumed',
  'SlaClockMet',
  'SlaClockAtRisk',
  'SlaClockBreached',
  'TicketEscalated',
  'TicketResolved',
  'TicketReopened',
  'TicketClosed',
];

export const TICKET_STREAM_PREFIX = 'ticket-';
export const ticketStream = (ticketId: string): string => `${TICKET_STREAM_PREFIX}${ticketId}`;
