/**
 * The contract every ReadModelStore adapter must meet. Adapter specs call
 * `describeReadModelStoreContract` with a factory; every test gets a fresh, empty store from
 * it (its own file or database), so tests can use whole-table queries.
 *
 * Expected results of filters and orderings come from a small in-memory model of the query
 * semantics (`expectQueue`, `expectBreaches`), not from either adapter.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ReadModelQueryError } from './read-model.errors.js';
import type {
  BreachFilter,
  Page,
  ProjectionTx,
  QueueFilter,
  QueueRow,
  ReadModelStore,
  SlaBreachRow,
  TicketFactsRow,
} from './read-models.port.js';
import { PROJECTION_NAMES } from './read-models.port.js';
import { at, breachRow, factsRow, queueRow } from './testing/read-model-rows.js';

export interface ReadModelHarness {
  store: ReadModelStore;
  /** Closes the store and opens it again on the same data (a process restart). */
  reopen(): Promise<ReadModelStore>;
  /** Closes the store and deletes its data. */
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The query semantics, as a reference
// ---------------------------------------------------------------------------------------------

const OPEN = ['NEW', 'OPEN', 'AWAITING_CUSTOMER'];
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function expectQueue(rows: readonly QueueRow[], f: QueueFilter): string[] {
  return rows
    .filter(
      (r) =>
        (f.status ?? OPEN).includes(r.status) &&
        (f.organizationId === undefined || r.organizationId === f.organizationId) &&
        (f.priority === undefined || f.priority.includes(r.priority)) &&
        (f.tier === undefined || f.tier.includes(r.tier)) &&
        (f.group === undefined || r.group === f.group) &&
        (f.assigneeId === undefined || r.assigneeId === f.assigneeId) &&
        (f.escalationLevel === undefined || r.escalationLevel === f.escalationLevel) &&
        (f.breached === undefined || r.breached === f.breached) &&
        (f.atRisk === undefined || r.atRisk === f.atRisk),
    )
    .sort((a, b) => {
      if (a.nextDueAt !== b.nextDueAt) {
        if (a.nextDueAt === null) return 1;
        if (b.nextDueAt === null) return -1;
        return byText(a.nextDueAt, b.nextDueAt);
      }
      return byText(a.ticketId, b.ticketId);
    })
    .map((r) => r.ticketId);
}

export function expectBreaches(rows: readonly SlaBreachRow[], f: BreachFilter): string[] {
  return rows
    .filter(
      (r) =>
        (f.organizationId === undefined || r.organizationId === f.organizationId) &&
        (f.ticketId === undefined || r.ticketId === f.ticketId) &&
        (f.metric === undefined || r.metric === f.metric) &&
        (f.tier === undefined || r.tier === f.tier) &&
        (f.priority === undefined || r.priority === f.priority) &&
        (f.group === undefined || r.group === f.group) &&
        (f.from === undefined || r.breachedAt >= f.from) &&
        (f.to === undefined || r.breachedAt < f.to),
    )
    .sort((a, b) => byText(b.breachedAt, a.breachedAt) || byText(a.key, b.key))
    .map((r) => r.key);
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectBadInput(run: () => Promise<unknown>): Promise<void> {
  let error: unknown;
  try {
    error = await rejection(run());
  } catch (thrown) {
    // Thrown synchronously counts too (e.g. openedBefore validates when called).
    error = thrown;
  }
  expect(error).toBeInstanceOf(ReadModelQueryError);
  expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
}

/** Every page of a query, following `endCursor`. */
async function allPages<R>(fetch: (after: string | undefined) => Promise<Page<R>>, guard = 100): Promise<Array<Page<R>>> {
  const pages: Array<Page<R>> = [];
  let after: string | undefined;
  for (let i = 0; i < guard; i++) {
    const page = await fetch(after);
    pages.push(page);
    if (!page.hasNextPage) return pages;
    expect(page.endCursor).not.toBeNull();
    after = page.endCursor!;
  }
  throw new Error('pagination did not end');
}

async function collect<R>(rows: AsyncIterable<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const ids = (rows: QueueRow[]): string[] => rows.map((r) => r.ticketId);

export function describeReadModelStoreContract(adapterName: string, createHarness: () => Promise<ReadModelHarness>): void {
  describe(`ReadModelStore contract: ${adapterName}`, () => {
    let harness: ReadModelHarness;
    let store: ReadModelStore;

    beforeEach(async () => {
      harness = await createHarness();
      store = harness.store;
      await store.init();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    const putQueue = (rows: QueueRow[], position = 1n): Promise<void> =>
      store.runBatch('queue', 1, async (tx) => {
        await tx.queue.put(rows);
        return position;
      });
    const putBreaches = (rows: SlaBreachRow[], position = 1n): Promise<void> =>
      store.runBatch('sla-breaches', 1, async (tx) => {
        await tx.breaches.put(rows);
        return position;
      });
    const putFacts = (rows: TicketFactsRow[], position = 1n): Promise<void> =>
      store.runBatch('ticket-facts', 1, async (tx) => {
        await tx.facts.put(rows);
        return position;
      });

    describe('setup', () => {
      it('starts every projection at generation 1 with checkpoint 0; init() is idempotent', async () => {
        await store.init();
        await store.init();
        for (const projection of PROJECTION_NAMES) {
          expect(await store.activeGeneration(projection)).toBe(1);
          expect(await store.checkpoint(projection, 1)).toBe(0n);
        }
        expect((await store.queue.find({}, {})).totalCount).toBe(0);
        expect(await store.ping()).toBe(true);
      });

      it('init() keeps what is stored', async () => {
        await putQueue([queueRow('t-1')], 5n);
        await store.init();
        expect(await store.queue.get('t-1')).toEqual(queueRow('t-1'));
        expect(await store.checkpoint('queue', 1)).toBe(5n);
      });
    });

    describe('batches', () => {
      it('round-trips rows exactly through put, get and delete', async () => {
        const queue = [queueRow('t-1'), queueRow('t-2', { nextDueAt: null, group: null, assigneeId: null, atRisk: true, breached: true })];
        const breaches = [breachRow('t-1:resolution:0', { metAt: at(5), lateByMs: 0.5 }), breachRow('t-2:firstResponse:1', { group: null, assigneeId: null })];
        const facts = [factsRow('t-1'), factsRow('t-2', { firstResponseMs: null, firstResponseTargetMs: null, firstResponseWithinTarget: null, firstRespondedAt: null })];
        await putQueue(queue);
        await putBreaches(breaches);
        await putFacts(facts);

        expect(await store.queue.get('t-1')).toEqual(queue[0]);
        expect(await store.queue.get('t-2')).toEqual(queue[1]);
        expect(await store.queue.get('t-3')).toBeNull();
        expect(await store.facts.get('t-2')).toEqual(facts[1]);
        expect(await store.facts.get('t-3')).toBeNull();
        expect((await store.breaches.find({}, {})).rows).toEqual(expect.arrayContaining(breaches));

        await store.runBatch('queue', 1, async (tx) => {
          const got = await tx.queue.get(['t-1', 't-2', 't-missing', 't-1']);
          expect([...got.keys()].sort()).toEqual(['t-1', 't-2']);
          expect(got.get('t-1')).toEqual(queue[0]);
          expect(got.get('t-2')).toEqual(queue[1]);
          // Replace: the new row wins whole, nothing of the old one is kept.
          await tx.queue.put([queueRow('t-1', { status: 'NEW', clocks: [], state: { only: 'this' } })]);
          await tx.queue.delete(['t-2', 't-never-there']);
          // The batch reads its own writes.
          const after = await tx.queue.get(['t-1', 't-2']);
          expect(after.get('t-1')?.state).toEqual({ only: 'this' });
          expect(after.has('t-2')).toBe(false);
          return 2n;
        });
        expect(await store.queue.get('t-1')).toEqual(queueRow('t-1', { status: 'NEW', clocks: [], state: { only: 'this' } }));
        expect(await store.queue.get('t-2')).toBeNull();

        await store.runBatch('sla-breaches', 1, async (tx) => {
          expect(await tx.breaches.get(['t-2:firstResponse:1'])).toEqual(new Map([['t-2:firstResponse:1', breaches[1]]]));
          await tx.breaches.delete(['t-2:firstResponse:1']);
          return 2n;
        });
        expect((await store.breaches.find({}, {})).rows).toEqual([breaches[0]]);
        await store.runBatch('ticket-facts', 1, async (tx) => {
          await tx.facts.delete(['t-1']);
          return 2n;
        });
        expect(await store.facts.get('t-1')).toBeNull();
      });

      it('a batch whose work throws changes neither rows nor checkpoint', async () => {
        await putQueue([queueRow('t-1')], 10n);
        const failure = new Error('projection bug');
        const error = await rejection(
          store.runBatch('queue', 1, async (tx) => {
            await tx.queue.put([queueRow('t-2'), queueRow('t-1', { title: 'changed' })]);
            await tx.queue.delete(['t-1']);
            throw failure;
          }),
        );
        expect(error).toBe(failure);
        expect(await store.queue.get('t-1')).toEqual(queueRow('t-1'));
        expect(await store.queue.get('t-2')).toBeNull();
        expect(await store.checkpoint('queue', 1)).toBe(10n);
      });

      it('rolls back a batch that returns an invalid position or writes a malformed row', async () => {
        await putQueue([queueRow('t-1')], 10n);
        await expect(
          store.runBatch('queue', 1, async (tx) => {
            await tx.queue.put([queueRow('t-2')]);
            return -1n;
          }),
        ).rejects.toThrow(/bigint/);
        await expect(
          store.runBatch('queue', 1, async (tx) => {
            await tx.queue.put([queueRow('t-2')]);
            // A due time in another format would sort wrongly: refused.
            await tx.queue.put([queueRow('t-3', { nextDueAt: '2026-11-23 10:00' })]);
            return 11n;
          }),
        ).rejects.toThrow(/nextDueAt/);
        expect(await store.queue.get('t-2')).toBeNull();
        expect(await store.checkpoint('queue', 1)).toBe(10n);
      });

      it('lets a batch use only its own projection row set, and not after it ended', async () => {
        let kept: ProjectionTx | undefined;
        await expect(
          store.runBatch('queue', 1, async (tx) => {
            await tx.facts.put([factsRow('t-1')]);
            return 1n;
          }),
        ).rejects.toThrow(/tx\.queue/);
        await store.runBatch('ticket-facts', 1, async (tx) => {
          kept = tx;
          return 1n;
        });
        await expect(kept!.facts.put([factsRow('t-1')])).rejects.toThrow(/ended/);
        expect(await store.facts.get('t-1')).toBeNull();
        expect(await store.checkpoint('queue', 1)).toBe(0n);
      });

      it('keeps a checkpoint per projection and generation, exact to 2^63-1', async () => {
        await putQueue([], 42n);
        await putBreaches([], 2n ** 53n + 1n);
        await putFacts([], 2n ** 63n - 1n);
        expect(await store.checkpoint('queue', 1)).toBe(42n);
        expect(await store.checkpoint('sla-breaches', 1)).toBe(2n ** 53n + 1n);
        expect(await store.checkpoint('ticket-facts', 1)).toBe(2n ** 63n - 1n);
        expect(await store.checkpoint('queue', 7)).toBe(0n);
        await expect(store.runBatch('queue', 1, async () => 2n ** 63n)).rejects.toThrow(/2\^63-1/);
        expect(await store.checkpoint('queue', 1)).toBe(42n);
      });

      it('serialises batches issued concurrently, in call order, and commits them all', async () => {
        let active = 0;
        let maxActive = 0;
        const started: number[] = [];
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.runBatch('queue', 1, async (tx) => {
              active += 1;
              maxActive = Math.max(maxActive, active);
              started.push(i);
              const seen = await tx.queue.get([`t-${i - 1}`]);
              // Each batch sees the one before it committed.
              if (i > 0) expect(seen.has(`t-${i - 1}`)).toBe(true);
              await new Promise((resolve) => setTimeout(resolve, 3));
              await tx.queue.put([queueRow(`t-${i}`)]);
              active -= 1;
              return BigInt(i + 1);
            }),
          ),
        );
        expect(maxActive).toBe(1);
        expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect((await store.queue.find({}, {})).totalCount).toBe(10);
        expect(await store.checkpoint('queue', 1)).toBe(10n);
      });

      it('rejects unknown projections and generations', async () => {
        await expect(store.runBatch('nope' as never, 1, async () => 1n)).rejects.toThrow(/projection/);
        await expect(store.runBatch('queue', 0, async () => 1n)).rejects.toThrow(/generation/);
        await expect(store.runBatch('queue', 2, async () => 1n)).rejects.toThrow(/does not exist/);
        expect(await store.checkpoint('queue', 2)).toBe(0n);
      });
    });

    describe('queue queries', () => {
      const rows: QueueRow[] = [
        queueRow('q-01', { nextDueAt: at(30) }),
        queueRow('q-02', { nextDueAt: at(10), priority: 'P1', tier: 'enterprise', organizationId: 'org-b' }),
        queueRow('q-03', { nextDueAt: null, status: 'NEW', assigneeId: null, group: null }),
        queueRow('q-04', { nextDueAt: at(10), status: 'AWAITING_CUSTOMER', escalationLevel: 1, group: 'billing' }),
        queueRow('q-05', { nextDueAt: at(-5), breached: true, priority: 'P1', assigneeId: 'agent-2' }),
        queueRow('q-06', { nextDueAt: at(20), atRisk: true, nextWarnAt: at(-1), tier: 'enterprise', assigneeId: null }),
        queueRow('q-07', { nextDueAt: null, status: 'RESOLVED' }),
        queueRow('q-08', { nextDueAt: at(10), escalationLevel: 2, priority: 'P3', organizationId: 'org-b', group: 'billing' }),
        queueRow('q-09', { nextDueAt: null, breached: true, atRisk: true, assigneeId: 'agent-2', status: 'AWAITING_CUSTOMER' }),
        queueRow('q-10', { nextDueAt: at(45), status: 'RESOLVED', tier: 'basic' }),
      ];

      it('filters on every field and combinations, ordered by next due time (none last), then ticket', async () => {
        await putQueue(rows);
        const filters: QueueFilter[] = [
          {},
          { status: ['NEW', 'OPEN', 'AWAITING_CUSTOMER', 'RESOLVED'] },
          { status: ['RESOLVED'] },
          { organizationId: 'org-b' },
          { organizationId: 'org-none' },
          { priority: ['P1'] },
          { priority: ['P1', 'P3'] },
          { tier: ['enterprise'] },
          { tier: ['basic'], status: ['RESOLVED'] },
          { group: 'billing' },
          { assigneeId: 'agent-2' },
          { assigneeId: null },
          { assigneeId: null, status: ['NEW'] },
          { escalationLevel: 0 },
          { escalationLevel: 2 },
          { breached: true },
          { breached: false },
          { atRisk: true },
          { atRisk: false, priority: ['P2'] },
          { breached: true, atRisk: true },
          { organizationId: 'org-a', tier: ['pro'], group: 'support', assigneeId: 'agent-1', escalationLevel: 0, breached: false, atRisk: false, priority: ['P2'], status: ['OPEN'] },
        ];
        for (const filter of filters) {
          const page = await store.queue.find(filter, { first: 500 });
          expect({ filter, ids: ids(page.rows) }).toEqual({ filter, ids: expectQueue(rows, filter) });
          expect(page.totalCount).toBe(page.rows.length);
          expect(page.hasNextPage).toBe(false);
        }
        const all = await store.queue.find({}, {});
        expect(ids(all.rows)).toEqual(['q-05', 'q-02', 'q-04', 'q-08', 'q-06', 'q-01', 'q-03', 'q-09']);
        expect(all.rows.find((r) => r.ticketId === 'q-06')).toEqual(rows[5]);
      });

      it('keeps totals right as rows change status, assignment and flags, and leave', async () => {
        const current = new Map<string, QueueRow>();
        const write = async (put: QueueRow[], remove: string[] = []): Promise<void> => {
          await store.runBatch('queue', 1, async (tx) => {
            await tx.queue.put(put);
            await tx.queue.delete(remove);
            return 1n;
          });
          for (const row of put) current.set(row.ticketId, row);
          for (const key of remove) current.delete(key);
        };
        const check = async (): Promise<void> => {
          const filters: QueueFilter[] = [
            {},
            { status: ['NEW', 'OPEN', 'AWAITING_CUSTOMER', 'RESOLVED'] },
            { priority: ['P1'] },
            { tier: ['enterprise'], breached: true },
            { atRisk: true, escalationLevel: 1 },
            { assigneeId: 'agent-1' },
            { assigneeId: 'agent-2', status: ['RESOLVED'] },
            { assigneeId: null },
            { group: 'billing' },
            { organizationId: 'org-b', priority: ['P1', 'P2'] },
            { organizationId: 'org-b', group: 'billing' },
          ];
          for (const filter of filters) {
            // first: 1, so the total is never just the length of the page.
            const page = await store.queue.find(filter, { first: 1 });
            expect({ filter, total: page.totalCount }).toEqual({ filter, total: expectQueue([...current.values()], filter).length });
          }
        };
        await write(rows);
        await check();
        await write([
          queueRow('q-01', { status: 'RESOLVED', assigneeId: 'agent-2' }),
          queueRow('q-02', { priority: 'P1', tier: 'enterprise', breached: true, organizationId: 'org-b', group: 'billing' }),
          queueRow('q-03', { assigneeId: 'agent-1', group: 'billing', atRisk: true, escalationLevel: 1 }),
          // Written again unchanged: counted once.
          rows[4]!,
          queueRow('q-11', { assigneeId: null, organizationId: 'org-b' }),
        ], ['q-06', 'q-07', 'q-missing']);
        await check();
        await write([], [...current.keys()]);
        await check();
        expect(await store.queue.find({}, {})).toEqual({ rows: [], totalCount: 0, hasNextPage: false, endCursor: null });
      });

      it('paginates 120 rows in pages of 25 without duplicate or gap, ties and nulls included', async () => {
        // 120 rows, 40 distinct due times (ties across page boundaries) and 12 without one.
        const many = Array.from({ length: 120 }, (_, i) =>
          queueRow(`p-${String((i * 37) % 120).padStart(3, '0')}`, { nextDueAt: i % 10 === 9 ? null : at(i % 40), priority: i % 2 ? 'P1' : 'P2' }),
        );
        await putQueue(many);
        const pages = await allPages((after) => store.queue.find({}, { first: 25, ...(after && { after }) }));
        expect(pages.map((p) => p.rows.length)).toEqual([25, 25, 25, 25, 20]);
        expect(pages.map((p) => p.hasNextPage)).toEqual([true, true, true, true, false]);
        for (const page of pages) expect(page.totalCount).toBe(120);
        const seen = pages.flatMap((p) => ids(p.rows));
        expect(seen).toEqual(expectQueue(many, {}));
        expect(new Set(seen).size).toBe(120);

        const p1 = await allPages((after) => store.queue.find({ priority: ['P1'] }, { first: 25, ...(after && { after }) }));
        expect(p1.map((p) => p.rows.length)).toEqual([25, 25, 10]);
        expect(p1.every((p) => p.totalCount === 60)).toBe(true);
        expect(p1.flatMap((p) => ids(p.rows))).toEqual(expectQueue(many, { priority: ['P1'] }));

        const exact = await store.queue.find({}, { first: 120 });
        expect(exact.hasNextPage).toBe(false);
        expect(exact.totalCount).toBe(120);
        const last = await store.queue.find({}, { first: 500, after: exact.endCursor! });
        expect(last).toEqual({ rows: [], totalCount: 120, hasNextPage: false, endCursor: null });
        expect((await store.queue.find({}, {})).rows).toHaveLength(50);
      });

      it('rejects a malformed cursor, a bad page size and bad filter values', async () => {
        await putQueue(rows);
        const breachCursor = Buffer.from(JSON.stringify(['b', at(0), 'k'])).toString('base64url');
        for (const after of ['', 'not a cursor!', 'bm90IGpzb24', Buffer.from('{"q":1}').toString('base64url'), breachCursor]) {
          await expectBadInput(() => store.queue.find({}, { after }));
        }
        for (const first of [0, -1, 501, 2.5, Number.NaN]) await expectBadInput(() => store.queue.find({}, { first }));
        await expectBadInput(() => store.queue.find({ status: [] }, {}));
        await expectBadInput(() => store.queue.find({ escalationLevel: -1 }, {}));
        await expectBadInput(() => store.queue.find({ breached: 'yes' as unknown as boolean }, {}));
        const queueCursor = (await store.queue.find({}, { first: 1 })).endCursor!;
        await expectBadInput(() => store.breaches.find({}, { after: queueCursor }));
        await expectBadInput(() => store.breaches.find({}, { first: 1000 }));
        await expectBadInput(() => store.breaches.find({ from: 'yesterday' }, {}));
        await expectBadInput(() => store.queue.dueForWatcher('now', 10));
        await expectBadInput(() => store.queue.dueForWatcher(at(0), 0));
        await expectBadInput(() => collect(store.facts.openedBefore('soon')));
      });

      it('dueForWatcher: rows due or to warn by then, earliest of the two first, up to the limit', async () => {
        await putQueue([
          queueRow('w-1', { nextDueAt: at(10), nextWarnAt: null }),
          queueRow('w-2', { nextDueAt: at(30), nextWarnAt: at(5) }),
          queueRow('w-3', { nextDueAt: null, nextWarnAt: null }),
          queueRow('w-4', { nextDueAt: at(-30), nextWarnAt: null, breached: true }),
          queueRow('w-5', { nextDueAt: at(11), nextWarnAt: at(20) }),
          queueRow('w-6', { nextDueAt: null, nextWarnAt: at(10) }),
          queueRow('w-7', { nextDueAt: at(60), nextWarnAt: at(40) }),
        ]);
        expect(ids(await store.queue.dueForWatcher(at(10), 100))).toEqual(['w-4', 'w-2', 'w-1', 'w-6']);
        expect(ids(await store.queue.dueForWatcher(at(11), 2))).toEqual(['w-4', 'w-2']);
        // A time with another offset means the same instant.
        expect(ids(await store.queue.dueForWatcher('2026-11-23T10:10:00+01:00', 100))).toEqual(['w-4', 'w-2', 'w-1', 'w-6']);
        expect(ids(await store.queue.dueForWatcher(at(-60), 100))).toEqual([]);
        const all = await store.queue.dueForWatcher(at(1000), 100);
        expect(ids(all)).toEqual(['w-4', 'w-2', 'w-1', 'w-6', 'w-5', 'w-7']);
        expect(all[0]).toEqual(queueRow('w-4', { nextDueAt: at(-30), nextWarnAt: null, breached: true }));
      });

      it('dueForWatcher returns hundreds of due rows whole and in order, ties included', async () => {
        const many = Array.from({ length: 250 }, (_, i) =>
          queueRow(`m-${String((i * 7) % 250).padStart(3, '0')}`, { nextDueAt: at(i % 9), nextWarnAt: i % 4 === 0 ? at((i % 9) - 20) : null }),
        );
        await putQueue([...many, queueRow('later', { nextDueAt: at(500) })]);
        const order = [...many]
          .map((r) => ({ id: r.ticketId, watch: r.nextWarnAt !== null && r.nextWarnAt < r.nextDueAt! ? r.nextWarnAt : r.nextDueAt! }))
          .sort((a, b) => byText(a.watch, b.watch) || byText(a.id, b.id))
          .map((r) => r.id);
        expect(ids(await store.queue.dueForWatcher(at(100), 1000))).toEqual(order);
        expect(ids(await store.queue.dueForWatcher(at(100), 230))).toEqual(order.slice(0, 230));
        expect(ids(await store.queue.dueForWatcher(at(100), 100))).toEqual(order.slice(0, 100));
      });
    });

    describe('breach queries', () => {
      const rows: SlaBreachRow[] = [
        breachRow('a:resolution:0', { breachedAt: at(0) }),
        breachRow('b:resolution:0', { breachedAt: at(0), tier: 'enterprise' }),
        breachRow('c:firstResponse:0', { breachedAt: at(5), priority: 'P1', organizationId: 'org-b' }),
        breachRow('c:resolution:0', { breachedAt: at(-30), group: 'billing' }),
        breachRow('c:resolution:1', { breachedAt: at(60), group: null, assigneeId: null }),
        breachRow('d:nextResponse:2', { breachedAt: at(-1440), organizationId: 'org-b', tier: 'enterprise' }),
      ];

      it('filters on every field and time range, newest first then key', async () => {
        await putBreaches(rows);
        const filters: BreachFilter[] = [
          {},
          { organizationId: 'org-b' },
          { ticketId: 'c' },
          { metric: 'resolution' },
          { tier: 'enterprise' },
          { priority: 'P1' },
          { group: 'billing' },
          { from: at(0) },
          { to: at(0) },
          { from: at(-30), to: at(5) },
          { ticketId: 'c', metric: 'resolution', from: at(-60) },
          { organizationId: 'org-a', tier: 'pro', priority: 'P2', group: 'support' },
        ];
        for (const filter of filters) {
          const page = await store.breaches.find(filter, { first: 500 });
          expect({ filter, keys: page.rows.map((r) => r.key) }).toEqual({ filter, keys: expectBreaches(rows, filter) });
          expect(page.totalCount).toBe(page.rows.length);
        }
        expect((await store.breaches.find({}, {})).rows.map((r) => r.key)).toEqual([
          'c:resolution:1',
          'c:firstResponse:0',
          'a:resolution:0',
          'b:resolution:0',
          'c:resolution:0',
          'd:nextResponse:2',
        ]);
        // "The last day", with the bounds given in another offset.
        const lastDay = await store.breaches.find({ from: '2026-11-22T11:00:00+01:00', to: at(60) }, {});
        expect(lastDay.rows.map((r) => r.key)).toEqual(['c:firstResponse:0', 'a:resolution:0', 'b:resolution:0', 'c:resolution:0']);
      });

      it('paginates across equal breach times without duplicate or gap', async () => {
        const many = Array.from({ length: 57 }, (_, i) => breachRow(`t${(i * 11) % 57}:resolution:0`, { breachedAt: at(i % 6) }));
        await putBreaches(many);
        const pages = await allPages((after) => store.breaches.find({}, { first: 10, ...(after && { after }) }));
        expect(pages.map((p) => p.rows.length)).toEqual([10, 10, 10, 10, 10, 7]);
        expect(pages.every((p) => p.totalCount === 57)).toBe(true);
        expect(pages.flatMap((p) => p.rows.map((r) => r.key))).toEqual(expectBreaches(many, {}));
      });
    });

    describe('facts queries', () => {
      it('streams facts opened before a time, optionally of one tier, oldest first', async () => {
        const rows = Array.from({ length: 250 }, (_, i) =>
          factsRow(`f-${String(i).padStart(3, '0')}`, { openedAt: at(250 - i), tier: i % 3 === 0 ? 'enterprise' : 'pro' }),
        );
        await putFacts(rows);
        const before = at(101);
        const expected = rows.filter((r) => r.openedAt < before).sort((a, b) => byText(a.openedAt, b.openedAt));
        expect(await collect(store.facts.openedBefore(before))).toEqual(expected);
        expect(await collect(store.facts.openedBefore(before, 'enterprise'))).toEqual(expected.filter((r) => r.tier === 'enterprise'));
        expect(await collect(store.facts.openedBefore(before, 'none'))).toEqual([]);
        expect(await collect(store.facts.openedBefore(at(-1000)))).toEqual([]);

        // Streaming: other queries and batches run while an iteration is under way; leaving
        // early releases it.
        const iterator = store.facts.openedBefore(at(1000))[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.value).toEqual(rows[249]);
        expect(await store.facts.get('f-000')).toEqual(rows[0]);
        await putFacts([factsRow('f-new')], 2n);
        expect((await iterator.next()).value).toEqual(rows[248]);
        await iterator.return?.();
        let count = 0;
        for await (const row of store.facts.openedBefore(at(1000))) {
          expect(row.ticketId).toBeDefined();
          if (++count === 3) break;
        }
        expect(count).toBe(3);
      });
    });

    describe('generations', () => {
      it('a new generation is invisible until activated; then the old one is gone', async () => {
        await putQueue([queueRow('old-1'), queueRow('old-2')], 100n);
        await putFacts([factsRow('old-1')], 100n);
        const generation = await store.createGeneration('queue');
        expect(generation).toBe(2);
        expect(await store.activeGeneration('queue')).toBe(1);
        expect(await store.checkpoint('queue', 2)).toBe(0n);
        await store.runBatch('queue', 2, async (tx) => {
          await tx.queue.put([queueRow('new-1')]);
          return 50n;
        });
        expect(ids((await store.queue.find({}, {})).rows)).toEqual(['old-1', 'old-2']);
        expect(await store.queue.get('new-1')).toBeNull();
        expect(await store.checkpoint('queue', 2)).toBe(50n);
        // The old generation keeps following meanwhile.
        await putQueue([queueRow('old-3')], 101n);

        await store.activateGeneration('queue', 2);
        expect(await store.activeGeneration('queue')).toBe(2);
        expect(ids((await store.queue.find({}, {})).rows)).toEqual(['new-1']);
        expect(await store.queue.get('old-1')).toBeNull();
        expect(await store.queue.get('new-1')).toEqual(queueRow('new-1'));
        expect(await store.checkpoint('queue', 1)).toBe(0n);
        expect(await store.checkpoint('queue', 2)).toBe(50n);
        // Writers still on the dropped generation are refused, not silently recreating it.
        await expect(putQueue([queueRow('late')], 102n)).rejects.toThrow(/does not exist/);
        // Other projections are untouched.
        expect(await store.activeGeneration('ticket-facts')).toBe(1);
        expect(await store.facts.get('old-1')).toEqual(factsRow('old-1'));

        // Numbers are never reused; an abandoned generation is dropped by the next activation.
        expect(await store.createGeneration('queue')).toBe(3);
        expect(await store.createGeneration('queue')).toBe(4);
        await store.runBatch('queue', 4, async (tx) => {
          await tx.queue.put([queueRow('g4')]);
          return 1n;
        });
        await store.activateGeneration('queue', 4);
        expect(ids((await store.queue.find({}, {})).rows)).toEqual(['g4']);
        await expect(store.runBatch('queue', 3, async () => 1n)).rejects.toThrow(/does not exist/);
        await expect(store.activateGeneration('queue', 3)).rejects.toThrow(/does not exist/);
        await expect(store.activateGeneration('queue', 9)).rejects.toThrow(/does not exist/);
        expect(await store.activeGeneration('queue')).toBe(4);
      });

      it('generations of the other read models switch the same way', async () => {
        await putBreaches([breachRow('x:resolution:0')]);
        await putFacts([factsRow('x')]);
        const b = await store.createGeneration('sla-breaches');
        const f = await store.createGeneration('ticket-facts');
        await store.runBatch('sla-breaches', b, async (tx) => {
          await tx.breaches.put([breachRow('y:resolution:0')]);
          return 1n;
        });
        await store.runBatch('ticket-facts', f, async (tx) => {
          await tx.facts.put([factsRow('y')]);
          return 1n;
        });
        expect((await store.breaches.find({}, {})).rows.map((r) => r.key)).toEqual(['x:resolution:0']);
        expect((await collect(store.facts.openedBefore(at(1)))).map((r) => r.ticketId)).toEqual(['x']);
        await store.activateGeneration('sla-breaches', b);
        await store.activateGeneration('ticket-facts', f);
        expect((await store.breaches.find({}, {})).rows.map((r) => r.key)).toEqual(['y:resolution:0']);
        expect((await collect(store.facts.openedBefore(at(1)))).map((r) => r.ticketId)).toEqual(['y']);
        expect(await store.facts.get('x')).toBeNull();
      });
    });

    describe('change token', () => {
      // A cache may reuse a query result while the token is unchanged: every commit must move
      // it, and reads must not (or nothing would ever be reused). null: the adapter cannot tell.
      it('changes with every committed change, and only then', async () => {
        const before = store.changeToken();
        if (before === null) {
          expect(store.changeToken()).toBeNull();
          return;
        }
        await store.queue.find({}, {});
        await store.queue.get('t-1');
        await store.cursor('saga');
        expect(store.changeToken()).toBe(before);

        const seen = new Set([before]);
        const expectMoved = (what: string): void => {
          const token = store.changeToken();
          expect({ what, moved: !seen.has(token!) }).toEqual({ what, moved: true });
          seen.add(token!);
        };
        await putQueue([queueRow('t-1')], 2n);
        expectMoved('a queue batch');
        await putBreaches([breachRow('t-1:resolution:0')], 3n);
        expectMoved('a breaches batch');
        await store.setCursor('saga', 4n);
        expectMoved('a cursor');
        const generation = await store.createGeneration('queue');
        expectMoved('a new generation');
        await store.activateGeneration('queue', generation);
        expectMoved('a generation switch');

        const settled = store.changeToken();
        await expect(
          store.runBatch('queue', generation, async (tx) => {
            await tx.queue.put([queueRow('t-2')]);
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(store.changeToken()).toBe(settled);
      });
    });

    describe('cursors and restarts', () => {
      it('keeps named cursors', async () => {
        expect(await store.cursor('saga:test')).toBe(0n);
        await store.setCursor('saga:test', 12n);
        await store.setCursor('saga:test', 2n ** 63n - 1n);
        await store.setCursor('other', 3n);
        expect(await store.cursor('saga:test')).toBe(2n ** 63n - 1n);
        expect(await store.cursor('other')).toBe(3n);
        await expect(store.setCursor('saga:test', -1n)).rejects.toThrow(/bigint/);
      });

      it('keeps rows, checkpoints, generations and cursors across close and reopen', async () => {
        await putQueue([queueRow('r-1')], 7n);
        await putBreaches([breachRow('r-1:resolution:0')], 8n);
        const generation = await store.createGeneration('ticket-facts');
        await store.runBatch('ticket-facts', generation, async (tx) => {
          await tx.facts.put([factsRow('r-1')]);
          return 9n;
        });
        await store.activateGeneration('ticket-facts', generation);
        await store.setCursor('saga', 11n);

        store = await harness.reopen();
        await store.init();
        expect(await store.queue.get('r-1')).toEqual(queueRow('r-1'));
        expect((await store.breaches.find({}, {})).rows).toEqual([breachRow('r-1:resolution:0')]);
        expect(await store.facts.get('r-1')).toEqual(factsRow('r-1'));
        expect(await store.checkpoint('queue', 1)).toBe(7n);
        expect(await store.checkpoint('sla-breaches', 1)).toBe(8n);
        expect(await store.activeGeneration('ticket-facts')).toBe(generation);
        expect(await store.checkpoint('ticket-facts', generation)).toBe(9n);
        expect(await store.cursor('saga')).toBe(11n);
        expect(await store.createGeneration('ticket-facts')).toBe(generation + 1);
      });

      it('close() lets the batch in flight commit and refuses new work', async () => {
        let release: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const batch = store.runBatch('queue', 1, async (tx) => {
          await tx.queue.put([queueRow('c-1')]);
          await gate;
          return 3n;
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
        const closed = store.close();
        release();
        await batch;
        await closed;
        expect(await store.ping()).toBe(false);
        await expect(store.runBatch('queue', 1, async () => 4n)).rejects.toThrow(/closed/);
        await expect(store.queue.get('c-1')).rejects.toThrow(/closed/);
        store = await harness.reopen();
        expect(await store.queue.get('c-1')).toEqual(queueRow('c-1'));
        expect(await store.checkpoint('queue', 1)).toBe(3n);
      });
    });
  });
}
