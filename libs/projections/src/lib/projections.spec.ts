import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type JsonObject } from '@tracedesk/event-store';
import { SqliteReadModelStore } from '@tracedesk/read-models';
import { defaultSlaPolicy } from '@tracedesk/sla';
import { simulateOrganizations, simulateTickets, ticketStream, type TicketEvent } from '@tracedesk/domain';
import { ALL_PROJECTIONS } from '../index.js';
import { ProjectionRunner } from './runner/projection-runner.js';
import { rebuildProjection } from './runner/rebuild.js';
import { computeTierReport } from './tier-report/tier-report.js';
import { snapshotReadModels, writeOrganizations, writeTickets } from '../testing/projection-fixtures.js';

const policy = defaultSlaPolicy();
const start = new Date('2026-11-23T06:00:00.000Z');

describe('projections over the embedded stores', () => {
  let dir: string;
  let store: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-proj-'));
    store = new SqliteEventStore({ path: join(dir, 'events.db'), pollIntervalMs: 20 });
    readModels = new SqliteReadModelStore({ path: join(dir, 'read-models.db') });
    await readModels.init();
    runner = new ProjectionRunner(store, readModels, ALL_PROJECTIONS, { batchSize: 100, retryDelayMs: 20 });
  });
  afterEach(async () => {
    await runner.stop();
    await store.close();
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const organizations = simulateOrganizations(policy, ['pro', 'enterprise'], 2, start);

  async function append(ticketId: string, events: TicketEvent[], expected: number | 'no_stream'): Promise<bigint> {
    const result = await store.append(
      ticketStream(ticketId),
      events.map((e) => ({ type: e.type, data: e.data as unknown as JsonObject })),
      expected,
    );
    return result.position;
  }

  it('catches up, then follows live; read models equal a clean rebuild, row for row', async () => {
    await writeOrganizations(store, organizations);
    const tickets = simulateTickets({ policy, organizations, tickets: 300, start, seed: 7 });
    await writeTickets(store, tickets.slice(0, 200));
    await runner.start();
    await writeTickets(store, tickets.slice(200));
    expect(await runner.waitFor(await store.headPosition(), 20_000)).toBe(true);
    const live = await snapshotReadModels(readModels);
    expect(live.facts).toHaveLength(300);
    expect(live.queue.length).toBe(tickets.filter((t) => t.state?.status !== 'CLOSED').length);
    expect(live.breaches.length).toBe(tickets.reduce((n, t) => n + t.state!.breachCount, 0));
    expect(live.breaches.length).toBeGreaterThan(0);

    const clean = new SqliteReadModelStore({ path: join(dir, 'clean.db') });
    await clean.init();
    for (const projection of ALL_PROJECTIONS) await rebuildProjection(store, clean, projection, { batchSize: 77 });
    expect(await snapshotReadModels(clean)).toEqual(live);
    await clean.close();
  });

  it('the queue row follows the ticket: due times, status, and leaves on close', async () => {
    await writeOrganizations(store, organizations);
    const [ticket] = simulateTickets({ policy, organizations: organizations.filter((o) => o.id.startsWith('pro')), tickets: 1, start, seed: 1, maxSteps: 0 });
    await runner.start();
    const openedAt = ticket!.events[0]!.at;
    const opening = ticket!.events.filter((e) => e.at === openedAt).map((e) => e.event);
    await append(ticket!.ticketId, opening, 'no_stream');
    expect(await runner.waitFor(await store.headPosition(), 5000)).toBe(true);
    const row = await readModels.queue.get(ticket!.ticketId);
    const started = opening.filter((e) => e.type === 'SlaClockStarted').map((e) => (e.data as { dueAt: string }).dueAt).sort();
    expect(row).toMatchObject({ ticketId: ticket!.ticketId, status: 'NEW', tier: 'pro', breached: false, nextDueAt: started[0] });
    const page = await readModels.queue.find({ tier: ['pro'] }, { first: 10 });
    expect(page.rows.map((r) => r.ticketId)).toContain(ticket!.ticketId);

    // The agent answers: the first-response clock is met, the next due time moves on.
    const answered = await append(ticket!.ticketId, [{ type: 'AgentReplied', data: { authorId: 'alice', body: 'Hi', at: '2026-11-23T06:05:00.000Z' } }], opening.length - 1);
    expect(await runner.waitFor(answered, 5000)).toBe(true);
    expect((await readModels.queue.get(ticket!.ticketId))!.status).toBe('OPEN');

    // Resolved and closed: it leaves the queue.
    await append(
      ticket!.ticketId,
      [
        { type: 'TicketResolved', data: { resolution: 'Done', resolutionBusinessMs: 0, pausedBusinessMs: 0, at: '2026-11-23T06:06:00.000Z' } },
        { type: 'TicketClosed', data: { at: '2026-11-23T06:07:00.000Z' } },
      ],
      opening.length,
    );
    expect(await runner.waitFor(await store.headPosition(), 5000)).toBe(true);
    expect(await readModels.queue.get(ticket!.ticketId)).toBeNull();
    expect((await readModels.facts.get(ticket!.ticketId))!.closedAt).toBe('2026-11-23T06:07:00.000Z');
  });

  it('read your writes: waitFor resolves once every projection has applied the position', async () => {
    await runner.start();
    await writeOrganizations(store, organizations);
    const tickets = simulateTickets({ policy, organizations, tickets: 5, start, seed: 3 });
    await writeTickets(store, tickets);
    const head = await store.headPosition();
    expect(await runner.waitFor(head, 5000)).toBe(true);
    expect(runner.reached()).toBeGreaterThanOrEqual(head);
    expect(await runner.waitFor(head + 1_000n, 50)).toBe(false);
    const status = await runner.status();
    expect(status.map((s) => [s.name, s.lag])).toEqual(ALL_PROJECTIONS.map((p) => [p.name, 0n]));

    // A gateway whose projections run in another process watches the stored checkpoints.
    const observer = new ProjectionRunner(store, readModels, ALL_PROJECTIONS);
    expect(await observer.waitFor(head, 1000)).toBe(true);
    expect(await observer.waitFor(head + 1n, 60)).toBe(false);
    expect((await observer.status()).every((s) => s.checkpoint === head)).toBe(true);
  });

  it('rebuilds one projection blue/green while the runner keeps following', async () => {
    await writeOrganizations(store, organizations);
    const tickets = simulateTickets({ policy, organizations, tickets: 60, start, seed: 11 });
    await writeTickets(store, tickets.slice(0, 40));
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 5000)).toBe(true);
    const before = await snapshotReadModels(readModels);
    const result = await rebuildProjection(store, readModels, ALL_PROJECTIONS[0]!);
    expect(result.generation).toBe(2);
    expect(await readModels.activeGeneration('queue')).toBe(2);
    expect((await snapshotReadModels(readModels)).queue).toEqual(before.queue);
    await writeTickets(store, tickets.slice(40));
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    const after = await snapshotReadModels(readModels);
    expect(after.facts).toHaveLength(60);
    expect(after.queue.length).toBe(tickets.filter((t) => t.state?.status !== 'CLOSED').length);
  });

  it('per-tier report from ticket facts', async () => {
    await writeOrganizations(store, organizations);
    const tickets = simulateTickets({ policy, organizations, tickets: 120, start, seed: 5 });
    await writeTickets(store, tickets);
    await runner.start();
    expect(await runner.waitFor(await store.headPosition(), 10_000)).toBe(true);
    const to = '2027-01-01T00:00:00.000Z';
    const report = await computeTierReport(readModels.facts.openedBefore(to), '2026-01-01T00:00:00.000Z', to);
    expect(report.reduce((n, r) => n + r.opened, 0)).toBe(120);
    const expectedBacklog = tickets.filter((t) => t.state!.status !== 'RESOLVED' && t.state!.status !== 'CLOSED').length;
    expect(report.reduce((n, r) => n + r.backlog, 0)).toBe(expectedBacklog);
    expect(report.reduce((n, r) => n + r.breaches, 0)).toBe(tickets.reduce((n, t) => n + t.state!.breachCount, 0));
    for (const row of report) {
      expect(row.firstResponseWithinTarget).toBeGreaterThanOrEqual(0);
      expect(row.firstResponseWithinTarget).toBeLessThanOrEqual(1);
      if (row.firstResponseP50 !== null) expect(row.firstResponseP90!).toBeGreaterThanOrEqual(row.firstResponseP50);
    }
    const proOnly = await computeTierReport(readModels.facts.openedBefore(to, 'pro'), '2026-01-01T00:00:00.000Z', to);
    expect(proOnly.every((r) => r.tier === 'pro')).toBe(true);
  });
});
