/**
 * Queue query latency at scale on SQLite: `N` open tickets (default 100,000) plus 10% resolved,
 * then p50 / p99 of `queue.find` (first page, and the third page through cursors) for the
 * common filters, with the query plans. Run:
 *   node --import @swc-node/register/esm-register libs/read-models/bench/queue-latency.bench.ts
 * Options: N=…, ROUNDS=… (queries per filter, default 1000), ANALYZE=1 (run ANALYZE first).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadModelStore, queueSql } from '../src/lib/sqlite/sqlite-read-model-store.js';
import { queueQuery } from '../src/lib/pagination.js';
import { queueRow } from '../src/lib/testing/read-model-rows.js';
import type { QueueFilter, QueueRow } from '../src/lib/read-models.port.js';

const N_OPEN = Number(process.env.N ?? 100_000);
const analyze = process.env.ANALYZE === '1';
let seed = 42;
const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const T0 = Date.parse('2026-11-23T09:00:00.000Z');

function row(i: number, status: string): QueueRow {
  const r = rnd();
  const due = rnd() < 0.1 ? null : new Date(T0 + Math.floor((rnd() - 0.2) * 14 * 86400_000)).toISOString();
  return queueRow(`t-${String(i).padStart(7, '0')}`, {
    status,
    organizationId: `org-${Math.floor(rnd() * 500)}`,
    priority: pick(['P1', 'P2', 'P2', 'P3', 'P3', 'P3', 'P4']),
    tier: pick(['basic', 'pro', 'pro', 'enterprise']),
    group: `group-${Math.floor(rnd() * 10)}`,
    assigneeId: r < 0.15 ? null : `agent-${Math.floor(rnd() * 200)}`,
    escalationLevel: rnd() < 0.9 ? 0 : 1 + Math.floor(rnd() * 2),
    breached: rnd() < 0.1,
    atRisk: rnd() < 0.05,
    nextDueAt: due,
    nextWarnAt: due && rnd() < 0.5 ? new Date(Date.parse(due) - 3600_000).toISOString() : null,
    state: { blob: 'x'.repeat(1200), n: i },
  });
}

const dir = mkdtempSync(join(tmpdir(), 'rmbench-'));
const path = join(dir, 'read-models.db');
const store = new SqliteReadModelStore({ path });
await store.init();
const t = Date.now();
const statuses = ['NEW', 'OPEN', 'OPEN', 'AWAITING_CUSTOMER'];
const total = N_OPEN + N_OPEN / 10;
// Generated batch by batch: a heap holding every row would add GC pauses to the timings.
for (let i = 0; i < total; i += 5000) {
  const batch: QueueRow[] = [];
  for (let j = i; j < Math.min(i + 5000, total); j++) batch.push(row(j, j < N_OPEN ? pick(statuses) : 'RESOLVED'));
  await store.runBatch('queue', 1, async (tx) => {
    await tx.queue.put(batch);
    return BigInt(i + 1);
  });
}
console.log(`loaded ${total} rows (${N_OPEN} open) in ${Date.now() - t} ms; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (analyze) {
  const db = new Database(path);
  db.exec('ANALYZE');
  db.close();
  console.log('ANALYZE done');
}

const cases: Array<[string, () => QueueFilter]> = [
  ['default (open)', () => ({})],
  ['assignee', () => ({ assigneeId: `agent-${Math.floor(rnd() * 200)}` })],
  ['unassigned', () => ({ assigneeId: null })],
  ['group', () => ({ group: `group-${Math.floor(rnd() * 10)}` })],
  ['organization', () => ({ organizationId: `org-${Math.floor(rnd() * 500)}` })],
  ['priority P1', () => ({ priority: ['P1'] })],
  ['priority P1,P2', () => ({ priority: ['P1', 'P2'] })],
  ['tier enterprise', () => ({ tier: ['enterprise'] })],
  ['breached', () => ({ breached: true })],
  ['atRisk', () => ({ atRisk: true })],
  ['escalation 2', () => ({ escalationLevel: 2 })],
  ['group+P1,P2', () => ({ group: `group-${Math.floor(rnd() * 10)}`, priority: ['P1', 'P2'] })],
  ['assignee+breached', () => ({ assigneeId: `agent-${Math.floor(rnd() * 200)}`, breached: true })],
  ['status RESOLVED', () => ({ status: ['RESOLVED'] })],
  ['all statuses', () => ({ status: ['NEW', 'OPEN', 'AWAITING_CUSTOMER', 'RESOLVED'] })],
];

const pct = (xs: number[], p: number): number => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const db = new Database(path, { readonly: true });
const ROUNDS = Number(process.env.ROUNDS ?? 1000);
// Warm-up: the first pass reads the indexes into the page cache.
for (const [, make] of cases) for (let i = 0; i < 20; i++) await store.queue.find(make(), { first: 50 });
// Wall time, and this process's CPU time per query: on a busy machine the wall time's tail
// is mostly waiting for a CPU, which the CPU time leaves out.
console.log(`| query | rows/total | p50 ms | p99 ms | p99 CPU ms | page-3 p99 ms | plan (page) | plan (count) |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const [name, make] of cases) {
  const times: number[] = [];
  const cpu: number[] = [];
  const deep: number[] = [];
  let sample = '';
  for (let i = 0; i < ROUNDS; i++) {
    const filter = make();
    const s = performance.now();
    const c = process.cpuUsage();
    const page = await store.queue.find(filter, { first: 50 });
    const used = process.cpuUsage(c);
    times.push(performance.now() - s);
    cpu.push((used.user + used.system) / 1000);
    if (i === 0) sample = `${page.rows.length}/${page.totalCount}`;
    if (page.endCursor && page.hasNextPage) {
      const p2 = await store.queue.find(filter, { first: 50, after: page.endCursor });
      if (p2.endCursor && p2.hasNextPage) {
        const s2 = performance.now();
        await store.queue.find(filter, { first: 50, after: p2.endCursor });
        deep.push(performance.now() - s2);
      }
    }
  }
  const sql = queueSql('queue_g1', queueQuery(make()), { dueAt: '2026-11-24T00:00:00.000Z', ticketId: 't-1' }, 50);
  const plan = (q: { sql: string; params: unknown[] }): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  console.log(`| ${name} | ${sample} | ${pct(times, 50).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${pct(cpu, 99).toFixed(2)} | ${deep.length ? pct(deep, 99).toFixed(2) : '-'} | ${plan(sql.page)} | ${plan(sql.count)} |`);
}
{
  const times: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = performance.now();
    await store.queue.get(`t-${String(Math.floor(rnd() * N_OPEN)).padStart(7, '0')}`);
    times.push(performance.now() - s);
  }
  console.log(`queue.get p50 ${pct(times, 50).toFixed(3)} p99 ${pct(times, 99).toFixed(3)}`);
  const w: number[] = [];
  let n = 0;
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    n = (await store.queue.dueForWatcher('2026-11-23T09:00:00.000Z', 10_000)).length;
    w.push(performance.now() - s);
  }
  console.log(`dueForWatcher(now, 10000): ${n} rows, p50 ${pct(w, 50).toFixed(1)} ms`);
}
try {
  // Sizes from the dbstat virtual table (when compiled in).
  const sizes = db
    .prepare(`SELECT name, round(sum(pgsize) / 1048576.0, 1) AS mb FROM dbstat WHERE name LIKE 'queue%' GROUP BY name ORDER BY name`)
    .all() as Array<{ name: string; mb: number }>;
  console.log(sizes.map((s) => `${s.name} ${s.mb} MB`).join(', '));
} catch (error) {
  console.log(`no dbstat: ${String(error)}`);
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
db.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
