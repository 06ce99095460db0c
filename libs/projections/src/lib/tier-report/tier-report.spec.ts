import { describe, expect, it } from '@jest/globals';
import type { TicketFactsRow } from '@tracedesk/read-models';
import { computeTierReport, percentile, tierReportCsv } from './tier-report.js';

const fact = (overrides: Partial<TicketFactsRow>): TicketFactsRow => ({
  ticketId: 'T',
  organizationId: 'o',
  tier: 'pro',
  priority: 'HIGH',
  channel: 'WEB',
  type: 'PROBLEM',
  status: 'OPEN',
  openedAt: '2026-11-10T10:00:00.000Z',
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
  ...overrides,
});

describe('per-tier report', () => {
  it('percentiles interpolate between closest ranks', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(91);
  });

  it('counts the cohort opened in the range and the backlog at its end', async () => {
    const rows = [
      fact({ ticketId: 'a', firstRespondedAt: '2026-11-10T11:00:00.000Z', firstResponseMs: 3_600_000, firstResponseTargetMs: 14_400_000, firstResponseWithinTarget: true, resolvedAt: '2026-11-11T10:00:00.000Z', resolutionMs: 7_200_000, breaches: 0 }),
      fact({ ticketId: 'b', firstRespondedAt: '2026-11-10T16:00:00.000Z', firstResponseMs: 21_600_000, firstResponseTargetMs: 14_400_000, firstResponseWithinTarget: false, breaches: 1, escalations: 1 }),
      fact({ ticketId: 'c', openedAt: '2026-10-01T10:00:00.000Z' }),
      fact({ ticketId: 'd', openedAt: '2026-10-01T10:00:00.000Z', resolvedAt: '2026-10-02T10:00:00.000Z' }),
      fact({ ticketId: 'e', tier: 'enterprise', priority: 'CRITICAL', resolvedAt: '2026-12-05T00:00:00.000Z', resolutionMs: 1000 }),
      fact({ ticketId: 'f', openedAt: '2026-12-05T00:00:00.000Z' }),
    ];
    const report = await computeTierReport(rows, '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z');
    expect(report).toEqual([
      { tier: 'enterprise', priority: 'CRITICAL', opened: 1, firstResponses: 0, firstResponseWithinTarget: 1, firstResponseP50: null, firstResponseP90: null, resolutionP50: null, resolutionP90: null, breaches: 0, escalations: 0, backlog: 1 },
      { tier: 'pro', priority: 'HIGH', opened: 2, firstResponses: 2, firstResponseWithinTarget: 0.5, firstResponseP50: 12_600, firstResponseP90: 19_800, resolutionP50: 7200, resolutionP90: 7200, breaches: 1, escalations: 1, backlog: 2 },
    ]);
    expect(tierReportCsv(report).split('\r\n')[0]).toBe(
      'tier,priority,opened,firstResponses,firstResponseWithinTarget,firstResponseP50,firstResponseP90,resolutionP50,resolutionP90,breaches,escalations,backlog',
    );
    expect(tierReportCsv(report).split('\r\n')[1]).toBe('enterprise,CRITICAL,1,0,1,,,,,0,0,1');
  });
});
