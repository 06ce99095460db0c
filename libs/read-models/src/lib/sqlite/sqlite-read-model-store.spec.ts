import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelStoreContract } from '../read-model-store.contract.js';
import { factsRow, queueRow } from '../testing/read-model-rows.js';
import { queueQuery } from '../pagination.js';
import type { QueueFilter, ReadModelStore } from '../read-models.port.js';
import { queueSql, SqliteReadModelStore } from './sqlite-read-model-store.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracedesk-rm-'));
  dirs.push(dir);
  return join(dir, 'read-models.db');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeReadModelStoreContract('SQLite (embedded)', async () => {
  const path = tempFile();
  let store: ReadModelStore = new SqliteReadModelStore({ path });
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = new SqliteReadModelStore({ path });
      return store;
    },
    async dispose() {
      await store.close();
    },
  };
});

const writerOf = (store: SqliteReadModelStore): Database.Database => (store as unknown as { writer: Database.Database }).writer;

/** The plan of a query, as `EXPLAIN QUERY PLAN` details joined with " | ". */
function plan(db: Database.Database, sql: string, ...params: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
}

describe('SqliteReadModelStore specifics', () => {
  it('uses WAL, synchronous=NORMAL by default and FULL on request', async () => {
    const path = tempFile();
    const store = new SqliteReadModelStore({ path });
    expect(writerOf(store).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(writerOf(store).pragma('synchronous', { simple: true })).toBe(1);
    await store.close();
    const full = new SqliteReadModelStore({ path, synchronous: 'FULL' });
    expect(writerOf(full).pragma('synchronous', { simple: true })).toBe(2);
    await full.close();
    expect(() => new SqliteReadModelStore({ path: ':memory:' })).toThrow(/file path/);
  });

  it('lays out the documented tables: one per read model and generation, pointer and checkpoints', async () => {
    const path = tempFile();
    const store = new SqliteReadModelStore({ path });
    await store.init();
    await store.runBatch('queue', 1, async (tx) => {
      await tx.queue.put([queueRow('t-1', { assigneeId: null, atRisk: true })]);
      return 12n;
    });
    await store.createGeneration('ticket-facts');
    await store.close();

    const db = new Database(path, { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual([
      'checkpoints',
      'cursors',
      'projection_generations',
      'queue_counts_g1',
      'queue_g1',
      'sla_breaches_g1',
      'ticket_facts_g1',
      'ticket_facts_g2',
    ]);
    expect(db.prepare(`SELECT * FROM projection_generations ORDER BY projection`).all()).toEqual([
      { projection: 'queue', active_generation: 1, max_generation: 1 },
      { projection: 'sla-breaches', active_generation: 1, max_generation: 1 },
      { projection: 'ticket-facts', active_generation: 1, max_generation: 2 },
    ]);
    expect(db.prepare(`SELECT projection, generation, position FROM checkpoints ORDER BY projection, generation`).raw().all()).toEqual([
      ['queue', 1, 12],
      ['sla-breaches', 1, 0],
      ['ticket-facts', 1, 0],
      ['ticket-facts', 2, 0],
    ]);
    const row = db
      .prepare(`SELECT status, assignee_id, at_risk, breached, due_sort, watch_at, data ->> '$.title' AS title FROM queue_g1`)
      .get() as Record<string, unknown>;
    expect(row).toEqual({ status: 'OPEN', assignee_id: null, at_risk: 1, breached: 0, due_sort: queueRow('t-1').nextDueAt, watch_at: queueRow('t-1').nextDueAt, title: queueRow('t-1').title });
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'queue_g1' AND sql IS NOT NULL ORDER BY name`).pluck().all();
    expect(indexes).toEqual(['queue_g1_assignee', 'queue_g1_due', 'queue_g1_group', 'queue_g1_organization', 'queue_g1_watch']);
    // The counters of the row written above, in its scopes.
    expect(db.prepare(`SELECT scope, value, status, at_risk, n FROM queue_counts_g1 ORDER BY scope`).raw().all()).toEqual([
      ['all', '', 'OPEN', 1, 1],
      ['group', 'support', 'OPEN', 1, 1],
      ['organization', 'org-a', 'OPEN', 1, 1],
      ['unassigned', '', 'OPEN', 1, 1],
    ]);
    db.close();
  });

  it('queries never see a batch that has not committed', async () => {
    const store = new SqliteReadModelStore({ path: tempFile() });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let written: () => void = () => undefined;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const batch = store.runBatch('queue', 1, async (tx) => {
      await tx.queue.put([queueRow('t-1')]);
      written();
      await gate;
      throw new Error('rolled back');
    });
    await wrote;
    expect(await store.queue.get('t-1')).toBeNull();
    expect((await store.queue.find({}, {})).totalCount).toBe(0);
    release();
    await expect(batch).rejects.toThrow('rolled back');
    expect(await store.queue.get('t-1')).toBeNull();
    await store.close();
  });

  it('keeps the queue counters per batch, and gives a rebuilt generation its indexes and counters on activation', async () => {
    const path = tempFile();
    const store = new SqliteReadModelStore({ path });
    const rows = (prefix: string): ReturnType<typeof queueRow>[] =>
      Array.from({ length: 30 }, (_, i) =>
        queueRow(`${prefix}-${i}`, {
          organizationId: `org-${i % 3}`,
          group: i % 4 === 0 ? null : `group-${i % 2}`,
          assigneeId: i % 5 === 0 ? null : `agent-${i % 3}`,
          priority: i % 2 === 0 ? 'P1' : 'P2',
          breached: i % 7 === 0,
        }),
      );
    const filters: QueueFilter[] = [
      {},
      { organizationId: 'org-1' },
      { group: 'group-1', priority: ['P1'] },
      { assigneeId: null },
      { assigneeId: 'agent-2', breached: true },
      { status: ['OPEN', 'RESOLVED'] },
    ];
    const expectTotals = async (): Promise<void> => {
      for (const filter of filters) {
        const page = await store.queue.find(filter, { first: 500 });
        expect(page.totalCount).toBe(page.rows.length);
      }
    };
    // Active generation: counters kept batch by batch through inserts, changes and deletes.
    await store.runBatch('queue', 1, async (tx) => {
      await tx.queue.put(rows('a'));
      await tx.queue.put([queueRow('a-1', { organizationId: 'org-2', assigneeId: null, status: 'RESOLVED' })]);
      await tx.queue.delete(['a-2', 'a-missing']);
      return 1n;
    });
    await expectTotals();
    await store.runBatch('queue', 1, async (tx) => {
      await tx.queue.put([queueRow('a-3', { breached: true, group: null }), queueRow('a-4', { priority: 'P9' })]);
      await tx.queue.delete(['a-5']);
      return 2n;
    });
    await expectTotals();
    // A rebuild's generation: no secondary index until it is activated, then indexed and counted.
    const generation = await store.createGeneration('queue');
    await store.runBatch('queue', generation, async (tx) => {
      await tx.queue.put(rows('b'));
      await tx.queue.delete(['b-3']);
      return 1n;
    });
    const db = new Database(path, { readonly: true });
    const indexes = (): unknown[] => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`).pluck().all(`queue_g${generation}`);
    expect(indexes()).toEqual([]);
    await store.activateGeneration('queue', generation);
    expect(indexes()).toHaveLength(5);
    db.close();
    expect((await store.queue.find({}, { first: 500 })).totalCount).toBe(29);
    await expectTotals();
    await store.runBatch('queue', generation, async (tx) => {
      await tx.queue.put([queueRow('b-7', { organizationId: 'org-0', assigneeId: 'agent-9' })]);
      await tx.queue.delete(['b-8']);
      return 2n;
    });
    await expectTotals();
    await store.close();
  });

  it('follows a generation switch made by another connection (a rebuild in another process)', async () => {
    const path = tempFile();
    const app = new SqliteReadModelStore({ path });
    const cli = new SqliteReadModelStore({ path });
    await app.runBatch('queue', 1, async (tx) => {
      await tx.queue.put([queueRow('old')]);
      return 1n;
    });
    // Keep a statement for generation 1 in the app's cache.
    expect(await app.queue.get('old')).not.toBeNull();
    const generation = await cli.createGeneration('queue');
    await cli.runBatch('queue', generation, async (tx) => {
      await tx.queue.put([queueRow('new')]);
      return 1n;
    });
    await cli.activateGeneration('queue', generation);
    expect(await app.activeGeneration('queue')).toBe(generation);
    expect(await app.queue.get('old')).toBeNull();
    expect((await app.queue.find({}, {})).rows.map((r) => r.ticketId)).toEqual(['new']);
    // The app's runner, still on generation 1, is refused and re-reads the active generation.
    await expect(
      app.runBatch('queue', 1, async (tx) => {
        await tx.queue.put([queueRow('late')]);
        return 2n;
      }),
    ).rejects.toThrow(/does not exist/);
    await cli.close();
    await app.close();
    // The old generation's tables went with the switch (its counts table too).
    const db = new Database(path, { readonly: true });
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE 'queue%' ORDER BY name`).pluck().all()).toEqual([
      'queue_counts_g2',
      'queue_g2',
    ]);
    db.close();
  });

  it("moves its change token on another connection's commit (another process), and is null once closed", async () => {
    const path = tempFile();
    const app = new SqliteReadModelStore({ path });
    const other = new SqliteReadModelStore({ path });
    const before = app.changeToken();
    expect(before).toEqual(expect.any(Number));
    await other.runBatch('queue', 1, async (tx) => {
      await tx.queue.put([queueRow('elsewhere')]);
      return 1n;
    });
    expect(app.changeToken()).not.toBe(before);
    const after = app.changeToken();
    await other.queue.find({}, {});
    expect(app.changeToken()).toBe(after);
    await other.close();
    await app.close();
    expect(app.changeToken()).toBeNull();
  });

  it('a stream keeps one snapshot, and closing the store ends an unfinished one', async () => {
    const store = new SqliteReadModelStore({ path: tempFile() });
    await store.runBatch('ticket-facts', 1, async (tx) => {
      await tx.facts.put(Array.from({ length: 10 }, (_, i) => factsRow(`f-${i}`)));
      return 1n;
    });
    const iterator = store.facts.openedBefore('2100-01-01T00:00:00.000Z')[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const generation = await store.createGeneration('ticket-facts');
    await store.activateGeneration('ticket-facts', generation);
    let rest = 0;
    while (!(await iterator.next()).done) rest++;
    expect(rest).toBe(9);

    await store.runBatch('ticket-facts', generation, async (tx) => {
      await tx.facts.put([factsRow('g-1'), factsRow('g-2')]);
      return 1n;
    });
    const unfinished = store.facts.openedBefore('2100-01-01T00:00:00.000Z')[Symbol.asyncIterator]();
    expect((await unfinished.next()).value).toEqual(factsRow('g-1'));
    await store.close();
    await expect(unfinished.next()).rejects.toThrow(/closed during the iteration/);
  });

  it('long reads let the event loop run: the watcher reads in chunks, a stream pauses now and then', async () => {
    const store = new SqliteReadModelStore({ path: tempFile() });
    await store.runBatch('queue', 1, async (tx) => {
      await tx.queue.put(Array.from({ length: 350 }, (_, i) => queueRow(`q-${i}`)));
      return 1n;
    });
    await store.runBatch('ticket-facts', 1, async (tx) => {
      await tx.facts.put(Array.from({ length: 1200 }, (_, i) => factsRow(`f-${i}`)));
      return 1n;
    });
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    try {
      const due = await store.queue.dueForWatcher('2100-01-01T00:00:00.000Z', 1000);
      expect(due).toHaveLength(350);
      expect(turns).toBeGreaterThanOrEqual(2);
      turns = 0;
      let rows = 0;
      for await (const _ of store.facts.openedBefore('2100-01-01T00:00:00.000Z')) rows++;
      expect(rows).toBe(1200);
      expect(turns).toBeGreaterThanOrEqual(2);
    } finally {
      clearInterval(timer);
      await store.close();
    }
  });

  it('answers the common queue queries from one index in queue order, never sorting, counts from counters', async () => {
    const path = tempFile();
    const store = new SqliteReadModelStore({ path });
    await store.close();
    const db = new Database(path, { readonly: true });
    const after = { dueAt: '2026-11-23T09:00:00.000Z', ticketId: 't-1' };
    const cases: Array<[QueueFilter, string, RegExp]> = [
      [{}, 'due', /queue_counts_g1 USING PRIMARY KEY \(scope=\? AND value=\? AND status=\?\)/],
      [{ priority: ['P1', 'P2'], tier: ['pro'], breached: true }, 'due', /queue_counts_g1 USING PRIMARY KEY/],
      [{ assigneeId: 'agent-1' }, 'assignee', /queue_counts_g1 USING PRIMARY KEY/],
      [{ assigneeId: null }, 'assignee', /queue_counts_g1 USING PRIMARY KEY/],
      [{ group: 'support', priority: ['P1'] }, 'group', /queue_counts_g1 USING PRIMARY KEY/],
      [{ organizationId: 'org-a', status: ['RESOLVED'] }, 'organization', /queue_counts_g1 USING PRIMARY KEY/],
      // Two many-valued filters: counted from the covering index of the chosen one.
      [{ group: 'support', assigneeId: 'agent-1' }, 'assignee', /USING COVERING INDEX queue_g1_assignee \(assignee_id=\?\)/],
    ];
    for (const [filter, index, countPlan] of cases) {
      for (const cursor of [null, after]) {
        const sql = queueSql('queue_g1', queueQuery(filter), cursor, 50);
        const pagePlan = plan(db, sql.page.sql, ...sql.page.params);
        expect({ filter, pagePlan }).toEqual({ filter, pagePlan: expect.stringMatching(new RegExp(`^(SEARCH|SCAN) queue_g1 USING INDEX queue_g1_${index}`)) });
        expect(pagePlan).not.toMatch(/TEMP B-TREE/);
        if (cursor) expect(pagePlan).toMatch(/\(due_sort,ticket_id\)>\(\?,\?\)/);
        expect(plan(db, sql.count.sql, ...sql.count.params)).toMatch(countPlan);
      }
    }
    expect(plan(db, `SELECT data FROM queue_g1 WHERE watch_at <= ? ORDER BY watch_at, ticket_id LIMIT 10`, 'x')).toMatch(
      /USING INDEX queue_g1_watch \(watch_at<\?\)/,
    );
    expect(plan(db, `SELECT data FROM sla_breaches_g1 ORDER BY breached_at DESC, key LIMIT 51`)).toMatch(/USING INDEX sla_breaches_g1_breached_at/);
    expect(plan(db, `SELECT data FROM ticket_facts_g1 WHERE tier = ? AND opened_at < ? ORDER BY opened_at, ticket_id`, 'pro', 'x')).toMatch(
      /USING INDEX ticket_facts_g1_tier \(tier=\? AND opened_at<\?\)/,
    );
    db.close();
  });
});
