import type { RecordedEvent } from '@tracedesk/event-store';
import type { ProjectionTx, SlaBreachRow } from '@tracedesk/read-models';
import { asTicketEvent, type Projection } from '../projection.js';

export const breachKey = (ticketId: string, metric: string, cycle: number): string => `${ticketId}:${metric}:${cycle}`;

/**
 * One row per breached clock cycle. When the late answer finally comes, the row gets its time
 * and the final lateness (business time beyond the target).
 */
export const slaBreachesProjection: Projection = {
  name: 'sla-breaches',
  async applyBatch(events: readonly RecordedEvent[], tx: ProjectionTx): Promise<void> {
    // The type first: four events in five are neither, and need no further look.
    const relevant = events
      .filter((e) => e.type === 'SlaClockBreached' || e.type === 'SlaClockMet')
      .map(asTicketEvent)
      .filter((e) => e !== null);
    if (relevant.length === 0) return;
    const keys = relevant.map((r) => {
      const data = r!.event.data as { metric: string; cycle: number };
      return breachKey(r!.ticketId, data.metric, data.cycle);
    });
    const rows = await tx.breaches.get([...new Set(keys)]);
    const changed = new Map<string, SlaBreachRow>();
    relevant.forEach((record, i) => {
      const { ticketId, event } = record!;
      const key = keys[i]!;
      if (event.type === 'SlaClockBreached') {
        const d = event.data;
        const row: SlaBreachRow = {
          key,
          ticketId,
          organizationId: d.organizationId,
          metric: d.metric,
          cycle: d.cycle,
          tier: d.tier,
          priority: d.priority,
          dueAt: d.dueAt,
          breachedAt: d.at,
          lateByMs: d.lateByBusinessMs,
          metAt: null,
          group: d.group,
          assigneeId: d.assigneeId,
        };
        rows.set(key, row);
        changed.set(key, row);
      } else if (event.type === 'SlaClockMet') {
        const row = rows.get(key);
        if (!row || row.metAt !== null) return;
        const d = event.data;
        const updated = { ...row, metAt: d.at, lateByMs: Math.max(row.lateByMs, d.elapsedBusinessMs - d.targetMs) };
        rows.set(key, updated);
        changed.set(key, updated);
      }
    });
    if (changed.size > 0) await tx.breaches.put([...changed.values()]);
  },
};
