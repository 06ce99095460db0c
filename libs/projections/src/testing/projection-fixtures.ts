/**
 * Test helpers for the read side: write simulated or hand-made ticket histories into a real
 * event store, and take a full, ordered snapshot of every read model to compare runs.
 */
import type { EventStore, JsonObject } from '@tracedesk/event-store';
import type { ReadModelStore, QueueRow, SlaBreachRow, TicketFactsRow } from '@tracedesk/read-models';
import { organizationStream, ticketStream, type SimulatedOrganization, type SimulatedTicket } from '@tracedesk/domain';

export async function writeOrganizations(store: EventStore, organizations: readonly SimulatedOrganization[]): Promise<void> {
  for (const org of organizations) {
    await store.append(
      organizationStream(org.id),
      org.events.map((e) => ({ type: e.type, data: e.data as unknown as JsonObject, metadata: { actorId: 'admin', actorRole: 'admin' } })),
      'no_stream',
    );
  }
}

/** Appends each ticket's history, one append per decision, interleaving tickets like live traffic. */
export async function writeTickets(store: EventStore, tickets: readonly SimulatedTicket[], concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tickets.length) {
      const ticket = tickets[next++]!;
      let revision = -1;
      // Group consecutive events of one decision (same actor and time) into one append.
      let i = 0;
      while (i < ticket.events.length) {
        const first = ticket.events[i]!;
        const group = [];
        while (i < ticket.events.length && ticket.events[i]!.at === first.at && ticket.events[i]!.actor === first.actor) {
          group.push(ticket.events[i]!);
          i++;
        }
        const result = await store.append(
          ticketStream(ticket.ticketId),
          group.map(({ event, actor, at }) => ({
            type: event.type,
            data: event.data as unknown as JsonObject,
            metadata: { actorId: actor.id, actorRole: actor.role, occurredAt: at.toISOString() },
          })),
          revision < 0 ? 'no_stream' : revision,
        );
        revision = result.nextExpectedRevision;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export interface ReadModelSnapshot {
  queue: QueueRow[];
  breaches: SlaBreachRow[];
  facts: TicketFactsRow[];
}

/** Every row of every read model, in a stable order. */
export async function snapshotReadModels(readModels: ReadModelStore): Promise<ReadModelSnapshot> {
  const queue: QueueRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await readModels.queue.find(
      { status: ['NEW', 'OPEN', 'AWAITING_CUSTOMER', 'RESOLVED', 'CLOSED'] },
      { first: 500, ...(after && { after }) },
    );
    queue.push(...page.rows);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  const breaches: SlaBreachRow[] = [];
  after = undefined;
  for (;;) {
    const page = await readModels.breaches.find({}, { first: 500, ...(after && { after }) });
    breaches.push(...page.rows);
    if (!page.hasNextPage || !page.endCursor) break;
    after = page.endCursor;
  }
  const facts: TicketFactsRow[] = [];
  for await (const row of readModels.facts.openedBefore('9999-12-31T00:00:00.000Z')) facts.push(row);
  const byKey = <T>(key: (row: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    queue: queue.sort(byKey((r) => r.ticketId)),
    breaches: breaches.sort(byKey((r) => r.key)),
    facts: facts.sort(byKey((r) => r.ticketId)),
  };
}
