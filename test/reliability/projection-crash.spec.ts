/**
 * Kills the projection worker with SIGKILL in the middle of its batches, several times,
 * restarts it, and checks that the read models end up equal, row for row, to a clean rebuild.
 * Batches commit with their checkpoints, so there is nothing to repair after a kill.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@tracedesk/event-store';
import { PROJECTION_NAMES, SqliteReadModelStore } from '@tracedesk/read-models';
import { defaultSlaPolicy } from '@tracedesk/sla';
import { simulateOrganizations, simulateTickets } from '@tracedesk/domain';
import { ALL_PROJECTIONS, rebuildProjection, snapshotReadModels, writeOrganizations, writeTickets } from '@tracedesk/projections';

const WORKER = join(process.cwd(), 'apps/worker/src/main.ts');
const KILLS = 6;

function startWorker(dataDir: string): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = fork(WORKER, [], {
    execArgv: ['--import', '@swc-node/register/esm-register', '--no-warnings'],
    env: { ...process.env, DATA_DIR: dataDir, WORKER_PARTS: 'projections', PROJECTION_BATCH_SIZE: '100', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

async function checkpoints(path: string): Promise<bigint[]> {
  const readModels = new SqliteReadModelStore({ path });
  await readModels.init();
  const result: bigint[] = [];
  for (const name of PROJECTION_NAMES) result.push(await readModels.checkpoint(name, await readModels.activeGeneration(name)));
  await readModels.close();
  return result;
}

describe('projection worker killed with SIGKILL mid-batch', () => {
  let dir: string;
  let head: bigint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracedesk-crash-'));
    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    const policy = defaultSlaPolicy();
    const start = new Date('2026-11-02T06:00:00.000Z');
    const organizations = simulateOrganizations(policy, ['pro', 'business', 'enterprise'], 3, start);
    await writeOrganizations(store, organizations);
    await writeTickets(store, simulateTickets({ policy, organizations, tickets: 6000, start, seed: 99 }));
    head = await store.headPosition();
    await store.close();
  }, 120_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${KILLS} kills and converges to a clean rebuild, row for row`, async () => {
    const readModelsPath = join(dir, 'read-models.db');
    let midBatchKills = 0;
    let previous = 0n;
    for (let kill = 0; kill < KILLS; kill++) {
      const worker = startWorker(dir);
      await worker.ready;
      // Let it work through some batches, then kill it without warning.
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 400));
      worker.child.kill('SIGKILL');
      await worker.exited;
      const reached = await checkpoints(readModelsPath);
      const lowest = reached.reduce((a, b) => (a < b ? a : b));
      if (lowest < head) midBatchKills++;
      // Progress is never lost: checkpoints only move forward.
      expect(lowest).toBeGreaterThanOrEqual(previous);
      previous = lowest;
    }
    expect(midBatchKills).toBeGreaterThanOrEqual(3);

    // The last run goes to the end, then stops gracefully.
    const worker = startWorker(dir);
    await worker.ready;
    const deadline = Date.now() + 60_000;
    while ((await checkpoints(readModelsPath)).some((c) => c < head)) {
      if (Date.now() > deadline) throw new Error('the worker did not catch up within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const store = new SqliteEventStore({ path: join(dir, 'events.db') });
    const survived = new SqliteReadModelStore({ path: readModelsPath });
    const clean = new SqliteReadModelStore({ path: join(dir, 'clean.db') });
    await survived.init();
    await clean.init();
    for (const projection of ALL_PROJECTIONS) await rebuildProjection(store, clean, projection);
    const expected = await snapshotReadModels(clean);
    const actual = await snapshotReadModels(survived);
    expect(actual.facts).toHaveLength(6000);
    expect(actual.queue.length).toBe(expected.queue.length);
    expect(actual.breaches.length).toBe(expected.breaches.length);
    expect(actual).toEqual(expected);
    await Promise.all([store.close(), survived.close(), clean.close()]);
  }, 180_000);
});
