import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from './testing/run-cli.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@tracedesk/event-store';
import { SqliteReadModelStore } from '@tracedesk/read-models';
import { defaultSlaPolicy } from '@tracedesk/sla';
import { simulateOrganizations, simulateTickets } from '@tracedesk/domain';
import { writeOrganizations, writeTickets } from '@tracedesk/projections';


const cli = runCli;

describe('tracedesk CLI (projections)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-cli-'));
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    const policy = defaultSlaPolicy();
    const start = new Date('2026-11-02T06:00:00.000Z');
    const organizations = simulateOrganizations(policy, ['pro', 'enterprise'], 2, start);
    await writeOrganizations(store, organizations);
    await writeTickets(store, simulateTickets({ policy, organizations, tickets: 200, start, seed: 4 }));
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds every projection into a new generation and switches to it', async () => {
    const result = await cli(dir, 'rebuild', 'all');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/queue: \d+ events replayed .* into generation 2, now active/);
    expect(result.stdout).toMatch(/ticket-facts: \d+ events replayed/);
    const readModels = new SqliteReadModelStore({ path: join(dir, 'read-models.db') });
    await readModels.init();
    expect(await readModels.activeGeneration('queue')).toBe(2);
    expect(await readModels.facts.get('SIM-0000199')).not.toBeNull();
    await readModels.close();
  }, 60_000);

  it('shows each projection’s checkpoint and lag', async () => {
    const result = await cli(dir, 'projections');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sla-breaches/);
    expect(result.stdout).toMatch(/'0'/); // no lag after the rebuild
  }, 30_000);

  it('prints the per-tier report as CSV', async () => {
    const result = await cli(dir, 'report', '--from', '2026-11-01T00:00:00Z', '--to', '2027-01-01T00:00:00Z', '--csv');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('tier,priority,opened,firstResponses,firstResponseWithinTarget,firstResponseP50,firstResponseP90,resolutionP50,resolutionP90,breaches,escalations,backlog');
    const opened = lines.slice(1).reduce((n, line) => n + Number(line.split(',')[2]), 0);
    expect(opened).toBe(200);
  }, 30_000);

  it('refuses an unknown projection and bad dates with a message and a non-zero exit', async () => {
    const unknown = await cli(dir, 'rebuild', 'everything');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown projection "everything"/);
    const dates = await cli(dir, 'report', '--from', 'yesterday', '--to', '2027-01-01');
    expect(dates.code).not.toBe(0);
    expect(dates.stderr).toMatch(/--from and --to must be ISO-8601/);
  }, 30_000);
});
