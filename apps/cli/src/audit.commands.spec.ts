import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from './testing/run-cli.js';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainEvents, GENESIS_HASH } from '@tracedesk/application';
import { SqliteEventStore, type JsonObject } from '@tracedesk/event-store';
import { defaultSlaPolicy } from '@tracedesk/sla';
import { simulateOrganizations, simulateTickets, ticketStream } from '@tracedesk/domain';


const cli = (dataDir: string, ...args: string[]) => runCli(dataDir, 'audit', ...args);

describe('tracedesk CLI (audit)', () => {
  let dir: string;
  let ticketId: string;
  let events = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-cli-audit-'));
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    const policy = defaultSlaPolicy();
    const start = new Date('2026-11-02T06:00:00.000Z');
    const organizations = simulateOrganizations(policy, ['pro'], 1, start);
    // Hash-chained as the application writes them (the simulation's own writer does not chain).
    for (const ticket of simulateTickets({ policy, organizations, tickets: 20, start, seed: 5 })) {
      const stream = ticketStream(ticket.ticketId);
      const chained = chainEvents(
        stream,
        0,
        GENESIS_HASH,
        ticket.events.map(({ event, actor, at }) => ({ type: event.type, data: event.data as unknown as JsonObject, metadata: { actorId: actor.id, actorRole: actor.role, occurredAt: at.toISOString() } })),
      );
      await store.append(stream, chained, 'no_stream');
      events += chained.length;
      ticketId ??= ticket.ticketId;
    }
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('seals, prints the public key, and verifies a ticket and the whole log (exit 0)', async () => {
    const seal = await cli(dir, 'seal');
    expect(seal.code).toBe(0);
    expect(seal.stdout).toMatch(/^seal 0: 20 streams up to position \d+, Merkle root [0-9a-f]{64}$/m);
    expect((await cli(dir, 'seal')).stdout).toMatch(/nothing changed/);
    const key = await cli(dir, 'public-key');
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const one = await cli(dir, 'verify', ticketId);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/OK, \d+ events, head sealed at revision \d+/);
    const all = await cli(dir, 'verify', '--all');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^OK: \d+ events in 21 streams .* 1 seals, 20 streams sealed at their head; 0 broken streams/);
  }, 60_000);

  it('shows the history as JSON lines and the ticket as of a revision', async () => {
    const history = await cli(dir, 'history', ticketId, '--json');
    expect(history.code).toBe(0);
    const lines = history.stdout.trim().split('\n').map((l) => JSON.parse(l) as { revision: number; hash: string; changes: string[] });
    expect(lines[0]).toMatchObject({ revision: 0, type: 'TicketOpened', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(lines.every((l) => Array.isArray(l.changes))).toBe(true);
    const asOf = await cli(dir, 'as-of', ticketId, '--revision', '0');
    expect(JSON.parse(asOf.stdout)).toMatchObject({ revision: 0, id: ticketId, status: 'NEW' });
    expect((await cli(dir, 'as-of', ticketId)).stderr).toMatch(/--at <time> or --revision <n>/);
  }, 60_000);

  it('exports every event in the time range as JSON lines with its hash', async () => {
    const out = await cli(dir, 'export', '--from', '2026-01-01T00:00:00Z', '--to', '2028-01-01T00:00:00Z');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { stream: string; metadata: { hash: string } });
    expect(lines.filter((l) => l.stream !== 'seals')).toHaveLength(events);
    expect(lines.every((l) => /^[0-9a-f]{64}$/.test(l.metadata.hash))).toBe(true);
    expect((await cli(dir, 'export', '--from', '2027-01-01T00:00:00Z', '--to', '2028-01-01T00:00:00Z')).stdout).toBe('');
  }, 60_000);

  it('exits non-zero when a byte of an event was changed, naming the revision', async () => {
    const db = new Database(join(dir, 'events.db'));
    db.prepare("UPDATE events SET data = replace(data, '\"', ' \"') WHERE stream_id = ? AND revision = 1").run(ticketStream(ticketId));
    db.close();
    const one = await cli(dir, 'verify', ticketId);
    expect(one.code).toBe(1);
    expect(one.stdout).toMatch(new RegExp(`ticket ${ticketId}: BROKEN at revision 1`));
    const all = await cli(dir, 'verify', '--all');
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^FAILED: .* 1 broken streams/);
    expect(all.stdout).toContain(`${ticketStream(ticketId)}: BROKEN at revision 1`);
    expect((await cli(dir, 'verify', 'NOPE-1')).code).toBe(1);
    expect(readFileSync(join(dir, 'seal-key.pem'), 'utf8')).toMatch(/PRIVATE KEY/);
  }, 60_000);
});
