import type { RecordedEvent } from '@tracedesk/event-store';
import type { ProjectionTx, QueueClock, QueueRow } from '@tracedesk/read-models';
import { evolveTicket, type TicketDeciderState, type TicketState } from '@tracedesk/domain';
import { byTicket, type Projection } from '../projection.js';

/**
 * The agents' queue: one row per ticket that is not closed, with its SLA clocks and the next
 * due time to sort by. The row keeps the ticket's folded state, advanced with the domain's own
 * `evolve`, so the queue can never disagree with the write side about a ticket.
 */
export const queueProjection: Projection = {
  name: 'queue',
  async applyBatch(events: readonly RecordedEvent[], tx: ProjectionTx): Promise<void> {
    const groups = byTicket(events);
    if (groups.size === 0) return;
    const rows = await tx.queue.get([...groups.keys()]);
    const put: QueueRow[] = [];
    const removed: string[] = [];
    for (const [ticketId, group] of groups) {
      const existing = rows.get(ticketId);
      let state = (existing?.state ?? null) as TicketDeciderState;
      let revision = existing?.revision ?? -1;
      let updatedAt = existing?.updatedAt ?? '';
      for (const { event, revision: eventRevision } of group) {
        // Defensive: a row already past this revision has it (the runner delivers once).
        if (eventRevision <= revision) continue;
        state = evolveTicket(state, event);
        revision = eventRevision;
        updatedAt = event.data.at;
      }
      if (!state) continue;
      if (state.status === 'CLOSED') removed.push(ticketId);
      else put.push(toQueueRow(state, revision, updatedAt));
    }
    if (put.length > 0) await tx.queue.put(put);
    if (removed.length > 0) await tx.queue.delete(removed);
  },
};

export function toQueueRow(ticket: TicketState, revision: number, updatedAt: string): QueueRow {
  const clocks: QueueClock[] = Object.values(ticket.clocks).map((clock) => ({
    metric: clock.metric,
    status: clock.status,
    dueAt: clock.dueAt,
    warnAt: clock.status === 'RUNNING' && clock.atRiskAt === null ? clock.warnAt : null,
    atRisk: clock.status === 'RUNNING' && clock.atRiskAt !== null,
    breachedAt: clock.breachedAt,
  }));
  const running = clocks.filter((c) => c.status === 'RUNNING');
  return {
    ticketId: ticket.id,
    organizationId: ticket.organizationId,
    title: ticket.title,
    status: ticket.status,
    priority: ticket.priority,
    tier: ticket.tier,
    channel: ticket.channel,
    type: ticket.type,
    group: ticket.group,
    assigneeId: ticket.assigneeId,
    escalationLevel: ticket.escalationLevel,
    openedAt: ticket.openedAt,
    updatedAt,
    clocks,
    nextDueAt: earliest(running.map((c) => c.dueAt)),
    nextWarnAt: earliest(running.map((c) => c.warnAt)),
    breached: clocks.some((c) => c.status === 'BREACHED'),
    atRisk: running.some((c) => c.atRisk),
    revision,
    state: ticket as unknown as Record<string, unknown>,
  };
}

/** ISO-8601 UTC strings of one format sort as text. */
function earliest(times: Array<string | null>): string | null {
  let min: string | null = null;
  for (const t of times) if (t !== null && (min === null || t < min)) min = t;
  return min;
}
