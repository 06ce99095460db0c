import { evolveTicket, initialTicketState, type TicketDeciderState, type TicketEvent } from '@tracedesk/domain';
import type { RecordedEvent } from '@tracedesk/event-store';

/** One event of a ticket's history as auditors read it (GraphQL `TicketHistoryEntry`, `audit history`). */
export interface HistoryEntry {
  revision: number;
  position: string;
  type: string;
  occurredAt: string;
  actorId: string;
  actorRole: string;
  reason: string | null;
  policyVersion: string | null;
  correlationId: string | null;
  causationId: string | null;
  command: string | null;
  data: unknown;
  hash: string;
  /** What the event changed in the ticket, e.g. `priority: MEDIUM → HIGH`, from the domain's own `evolve`. */
  changes: string[];
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** When the decision was taken (metadata), else when the store committed it. */
export const occurredAt = (event: RecordedEvent): string => text(event.metadata['occurredAt']) ?? event.recordedAt.toISOString();

const show = (value: unknown): string => (value === null || value === undefined ? '∅' : typeof value === 'string' ? value : JSON.stringify(value));
const MAX_SHOWN = 60;
const short = (value: unknown): string => {
  const s = show(value);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN - 1)}…` : s;
};

/** Field-by-field differences between two states (nested objects by dotted path), in key order. */
export function describeChanges(before: unknown, after: unknown, path = ''): string[] {
  if (before === after) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => describeChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (before === undefined || before === null) return [`${path || 'ticket'}: ${short(after)}`];
  return [`${path}: ${short(before)} → ${short(after)}`];
}

/** The history entries of a ticket's events, oldest first (folding to tell what each changed). */
export function ticketHistoryEntries(events: readonly RecordedEvent[]): HistoryEntry[] {
  let state: TicketDeciderState = initialTicketState();
  return events.map((event) => {
    const next = evolveTicket(state, event as unknown as TicketEvent);
    // A new ticket lists its opening fields briefly rather than every nested clock field.
    const changes = state === null && next !== null ? [`opened: ${next.priority} ${next.channel} ${next.type} "${short(next.title)}"`] : describeChanges(state, next);
    state = next;
    return {
      revision: event.revision,
      position: event.position.toString(),
      type: event.type,
      occurredAt: occurredAt(event),
      actorId: text(event.metadata['actorId']) ?? '',
      actorRole: text(event.metadata['actorRole']) ?? '',
      reason: text(event.data['reason']),
      policyVersion: text(event.metadata['policyVersion']),
      correlationId: text(event.metadata['correlationId']),
      causationId: text(event.metadata['causationId']),
      command: text(event.metadata['command']),
      data: event.data,
      hash: text(event.metadata['hash']) ?? '',
      changes,
    };
  });
}

export interface AsOf {
  /** Inclusive. */
  revision?: number | null;
  /** Inclusive: events whose decision time is at or before it. */
  at?: Date | null;
}

/** The ticket folded with the domain's `evolve` up to a revision and/or a time; `revision` is the last event folded (-1: none). */
export function ticketAsOf(events: readonly RecordedEvent[], asOf: AsOf): { state: TicketDeciderState; revision: number } {
  const until = asOf.at ? asOf.at.getTime() : null;
  let state: TicketDeciderState = initialTicketState();
  let revision = -1;
  for (const event of events) {
    if (asOf.revision != null && event.revision > asOf.revision) break;
    if (until !== null && new Date(occurredAt(event)).getTime() > until) break;
    state = evolveTicket(state, event as unknown as TicketEvent);
    revision = event.revision;
  }
  return { state, revision };
}
