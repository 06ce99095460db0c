import type { RecordedEvent } from '@tracedesk/event-store';
import type { ProjectionTx, TicketFactsRow } from '@tracedesk/read-models';
import { ticketStatusAfter, type TicketEvent, type TicketStatus } from '@tracedesk/domain';
import { byTicket, type Projection } from '../projection.js';

/**
 * One row of facts per ticket, for per-tier reports: when it was opened, answered and
 * resolved, in business time as the decider computed it, and how often it breached, escalated
 * and reopened.
 */
export const ticketFactsProjection: Projection = {
  name: 'ticket-facts',
  async applyBatch(events: readonly RecordedEvent[], tx: ProjectionTx): Promise<void> {
    const groups = byTicket(events);
    if (groups.size === 0) return;
    const rows = await tx.facts.get([...groups.keys()]);
    const put: TicketFactsRow[] = [];
    for (const [ticketId, group] of groups) {
      let row = rows.get(ticketId) ?? null;
      for (const { event } of group) row = applyFact(row, ticketId, event);
      if (row) put.push(row);
    }
    if (put.length > 0) await tx.facts.put(put);
  },
};

export function applyFact(row: TicketFactsRow | null, ticketId: string, event: TicketEvent): TicketFactsRow | null {
  if (event.type === 'TicketOpened') {
    const d = event.data;
    return {
      ticketId,
      organizationId: d.organizationId,
      tier: d.tier,
      priority: d.priority,
      channel: d.channel,
      type: d.type,
      status: 'NEW',
      openedAt: d.at,
      firstRespondedAt: null,
      firstResponseMs: null,
      firstResponseTargetMs: null,
      firstResponseWithinTarget: null,
      resolvedAt: null,
      resolutionMs: null,
      pausedMs: 0,
      breaches: 0,
      escalations: 0,
      reopenCount: 0,
      closedAt: null,
    };
  }
  if (!row) return row;
  const next: TicketFactsRow = { ...row, status: ticketStatusAfter(row.status as TicketStatus, event) };
  switch (event.type) {
    case 'TicketPriorityChanged':
      next.priority = event.data.to;
      break;
    case 'AgentReplied':
      next.firstRespondedAt ??= event.data.at;
      break;
    case 'SlaClockMet':
      if (event.data.metric === 'FIRST_RESPONSE' && row.firstResponseMs === null) {
        next.firstRespondedAt ??= event.data.at;
        next.firstResponseMs = event.data.elapsedBusinessMs;
        next.firstResponseTargetMs = event.data.targetMs;
        next.firstResponseWithinTarget = event.data.elapsedBusinessMs <= event.data.targetMs;
      }
      break;
    case 'SlaClockBreached':
      next.breaches += 1;
      break;
    case 'TicketEscalated':
      next.escalations += 1;
      break;
    case 'TicketResolved':
      next.firstRespondedAt ??= event.data.at;
      next.resolvedAt = event.data.at;
      next.resolutionMs = event.data.resolutionBusinessMs;
      next.pausedMs = event.data.pausedBusinessMs;
      break;
    case 'TicketReopened':
      next.reopenCount += 1;
      next.resolvedAt = null;
      break;
    case 'TicketClosed':
      next.closedAt = event.data.at;
      break;
    default:
      break;
  }
  return next;
}
