/** Sample rows for tests and benchmarks: realistic, and awkward where it matters (unicode,
 *  nested JSON, nulls, odd field names in the opaque state). No test framework imports. */
import type { QueueRow, SlaBreachRow, TicketFactsRow } from '../read-models.port.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
/** T0 plus `minutes`, in the stored format. */
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

export function queueRow(ticketId: string, fields: Partial<QueueRow> = {}): QueueRow {
  const nextDueAt = fields.nextDueAt === undefined ? at(60) : fields.nextDueAt;
  return {
    ticketId,
    organizationId: 'org-a',
    title: `Ticket ${ticketId}: «ça ne marche pas» 👋`,
    status: 'OPEN',
    priority: 'P2',
    tier: 'pro',
    channel: 'email',
    type: 'incident',
    group: 'support',
    assigneeId: 'agent-1',
    escalationLevel: 0,
    openedAt: at(-120),
    updatedAt: at(-5),
    clocks: [
      { metric: 'firstResponse', status: 'MET', dueAt: at(-60), warnAt: null, atRisk: false, breachedAt: null },
      { metric: 'resolution', status: 'RUNNING', dueAt: nextDueAt, warnAt: null, atRisk: false, breachedAt: null },
    ],
    nextDueAt,
    nextWarnAt: null,
    breached: false,
    atRisk: false,
    revision: 7,
    state: {
      id: ticketId,
      nested: { list: [1, 2.5, -3, null, 'x', { deep: true }], empty: {}, none: null },
      unicode: 'Привет مرحبا 🎫',
      big: 9007199254740991,
      'odd.key': 1,
      $dollar: 'kept',
    },
    ...fields,
  };
}

export function breachRow(key: string, fields: Partial<SlaBreachRow> = {}): SlaBreachRow {
  const [ticketId = key, metric = 'resolution', cycle = '0'] = key.split(':');
  return {
    key,
    ticketId,
    organizationId: 'org-a',
    metric,
    cycle: Number(cycle),
    tier: 'pro',
    priority: 'P2',
    dueAt: at(0),
    breachedAt: at(0),
    lateByMs: 125_000,
    metAt: null,
    group: 'support',
    assigneeId: 'agent-1',
    ...fields,
  };
}

export function factsRow(ticketId: string, fields: Partial<TicketFactsRow> = {}): TicketFactsRow {
  return {
    ticketId,
    organizationId: 'org-a',
    tier: 'pro',
    priority: 'P2',
    channel: 'web',
    type: 'question',
    status: 'RESOLVED',
    openedAt: at(0),
    firstRespondedAt: at(30),
    firstResponseMs: 1_800_000,
    firstResponseTargetMs: 3_600_000,
    firstResponseWithinTarget: true,
    resolvedAt: null,
    resolutionMs: null,
    pausedMs: 0,
    breaches: 0,
    escalations: 1,
    reopenCount: 0,
    closedAt: null,
    ...fields,
  };
}

