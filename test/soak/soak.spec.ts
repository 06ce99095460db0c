/**
 * Runs the soak's load loop for ~20 s against the real server (so `npm run soak`'s code runs in
 * CI), and checks the verdict rule on its own: the 10-minute soak itself is `npm run soak`.
 */
import { describe, expect, it } from '@jest/globals';
import { formatSummary, runSoak, soakVerdict } from './soak-run.js';

describe('soak', () => {
  it('the verdict fails on RSS growth over 10%, on errors and on projections that never catch up', () => {
    const flat = { rssWarmMiB: 100, rssEndMiB: 109.9, errors: 0, lagAfterDrainMs: 50 };
    expect(soakVerdict(flat)).toEqual({ ok: true, reasons: [] });
    expect(soakVerdict({ ...flat, rssEndMiB: 111 }).ok).toBe(false);
    expect(soakVerdict({ ...flat, rssEndMiB: 89 }).ok).toBe(false);
    expect(soakVerdict({ ...flat, errors: 1 }).reasons).toEqual(['1 errors']);
    expect(soakVerdict({ ...flat, lagAfterDrainMs: null }).ok).toBe(false);
    expect(soakVerdict({ ...flat, rssEndMiB: null }).ok).toBe(false);
  });

  it('a 20-second soak: mixed load with the watcher running, reports, no errors, projections catch up', async () => {
    const lines: string[] = [];
    const result = await runSoak({ minutes: 0.33, rate: 60, clients: 4, reportEverySec: 5, warmupSec: 7, seed: 7, log: (line) => lines.push(line) });
    process.stdout.write(`${lines.join('\n')}\n${formatSummary(result)}\n`);
    expect(result.summary.errors).toBe(0);
    expect(result.summary.firstErrors).toEqual([]);
    expect(result.samples.length).toBeGreaterThanOrEqual(3);
    expect(result.samples.every((s) => s.rssMiB !== null && s.rssMiB > 0)).toBe(true);
    // Every kind of request was made, at about the paced rate.
    expect(Object.keys(result.summary.byKind).sort()).toEqual(['changePriority', 'history', 'openTicket', 'queue', 'replyToTicket', 'resolveTicket']);
    expect(result.summary.throughput).toBeGreaterThan(30);
    expect(result.summary.lagAfterDrainMs).not.toBeNull();
    expect(result.summary.events).toBeGreaterThan(100);
  }, 120_000);
});
