import type { RecordedEvent } from '@tracedesk/event-store';
import type { ProjectionName, ProjectionTx } from '@tracedesk/read-models';
import { TICKET_EVENT_TYPES, TICKET_STREAM_PREFIX, type TicketEvent } from '@tracedesk/domain';

/**
 * A projection turns a batch of events into read-model row changes. It reads and writes rows
 * only through the batch transaction, so the rows and the checkpoint commit together.
 */
export interface Projection {
  readonly name: ProjectionName;
  /** Applies events in log order; must be deterministic (a rebuild gives the same rows). */
  applyBatch(events: readonly RecordedEvent[], tx: ProjectionTx): Promise<void>;
}

const TICKET_TYPES = new Set<string>(TICKET_EVENT_TYPES);

/** A ticket event with the ticket id and revision it belongs to, or null for other events. */
export interface TicketEventRecord {
  ticketId: string;
  revision: number;
  event: TicketEvent;
}

export function asTicketEvent(recorded: RecordedEvent): TicketEventRecord | null {
  if (!recorded.streamId.startsWith(TICKET_STREAM_PREFIX) || !TICKET_TYPES.has(recorded.type)) return null;
  return {
    ticketId: recorded.streamId.slice(TICKET_STREAM_PREFIX.length),
    revision: recorded.revision,
    event: { type: recorded.type, data: recorded.data } as unknown as TicketEvent,
  };
}

/** Ticket events of a batch grouped by ticket, each group in log order. */
export function byTicket(events: readonly RecordedEvent[]): Map<string, TicketEventRecord[]> {
  const groups = new Map<string, TicketEventRecord[]>();
  for (const recorded of events) {
    const ticketEvent = asTicketEvent(recorded);
    if (!ticketEvent) continue;
    const group = groups.get(ticketEvent.ticketId);
    if (group) group.push(ticketEvent);
    else groups.set(ticketEvent.ticketId, [ticketEvent]);
  }
  return groups;
}
