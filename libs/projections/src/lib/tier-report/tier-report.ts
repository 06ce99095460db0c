import type { TicketFactsRow, TierReportRow } from '@tracedesk/read-models';

const PRIORITY_ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/**
 * The per-tier report over [from, to), from ticket facts (durations in business seconds):
 * - opened, firstResponses, first-response share and percentiles, resolution percentiles,
 *   breaches and escalations are about the tickets *opened in the range* (a cohort), counting
 *   what happened to them before `to`;
 * - backlog is every ticket opened before `to` and not resolved or closed by `to`.
 * Priority is the ticket's current (triaged) priority.
 */
export async function computeTierReport(
  facts: AsyncIterable<TicketFactsRow> | Iterable<TicketFactsRow>,
  from: string,
  to: string,
): Promise<TierReportRow[]> {
  interface Group {
    tier: string;
    priority: string;
    opened: number;
    firstResponseMs: number[];
    withTarget: number;
    withinTarget: number;
    resolutionMs: number[];
    breaches: number;
    escalations: number;
    backlog: number;
  }
  const groups = new Map<string, Group>();
  const groupOf = (row: TicketFactsRow): Group => {
    const key = `${row.tier}\u0000${row.priority}`;
    let group = groups.get(key);
    if (!group) {
      group = { tier: row.tier, priority: row.priority, opened: 0, firstResponseMs: [], withTarget: 0, withinTarget: 0, resolutionMs: [], breaches: 0, escalations: 0, backlog: 0 };
      groups.set(key, group);
    }
    return group;
  };
  for await (const row of facts) {
    if (row.openedAt >= to) continue;
    const resolvedBy = row.resolvedAt !== null && row.resolvedAt < to;
    const closedBy = row.closedAt !== null && row.closedAt < to;
    if (!resolvedBy && !closedBy) groupOf(row).backlog += 1;
    if (row.openedAt < from) continue;
    const group = groupOf(row);
    group.opened += 1;
    group.breaches += row.breaches;
    group.escalations += row.escalations;
    if (row.firstRespondedAt !== null && row.firstRespondedAt < to && row.firstResponseMs !== null) {
      group.firstResponseMs.push(row.firstResponseMs);
      if (row.firstResponseWithinTarget !== null) {
        group.withTarget += 1;
        if (row.firstResponseWithinTarget) group.withinTarget += 1;
      }
    }
    if (resolvedBy && row.resolutionMs !== null) group.resolutionMs.push(row.resolutionMs);
  }
  return [...groups.values()]
    .sort((a, b) => a.tier.localeCompare(b.tier) || PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority))
    .map((g) => ({
      tier: g.tier,
      priority: g.priority,
      opened: g.opened,
      firstResponses: g.firstResponseMs.length,
      firstResponseWithinTarget: g.withTarget === 0 ? 1 : g.withinTarget / g.withTarget,
      firstResponseP50: seconds(percentile(g.firstResponseMs, 0.5)),
      firstResponseP90: seconds(percentile(g.firstResponseMs, 0.9)),
      resolutionP50: seconds(percentile(g.resolutionMs, 0.5)),
      resolutionP90: seconds(percentile(g.resolutionMs, 0.9)),
      breaches: g.breaches,
      escalations: g.escalations,
      backlog: g.backlog,
    }));
}

/** Linear interpolation between closest ranks (the common "type 7" definition). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

const CSV_COLUMNS: Array<keyof TierReportRow> = [
  'tier',
  'priority',
  'opened',
  'firstResponses',
  'firstResponseWithinTarget',
  'firstResponseP50',
  'firstResponseP90',
  'resolutionP50',
  'resolutionP90',
  'breaches',
  'escalations',
  'backlog',
];

/** RFC 4180 CSV with a header line; empty cells for missing percentiles. */
export function tierReportCsv(rows: readonly TierReportRow[]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}
