import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig, startRuntime } from '@tracedesk/application';
import { DemoRefusedError, seedDemo, type DemoSummary } from './seed-demo.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tracedesk-demo-'));
  dirs.push(dir);
  return dir;
};
const configFor = (dataDir: string) => loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const NOW = new Date('2026-11-20T14:00:00Z');

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo (seedDemo)', () => {
  let first: DemoSummary;
  let dataDir: string;

  it('fills a fresh data dir through the commands, and the projections have rows', async () => {
    dataDir = freshDir();
    first = await seedDemo({ config: configFor(dataDir), tickets: 30, now: NOW, seed: 7 });
    expect(first.tickets).toBe(30);
    expect(new Set(first.organizations.map((o) => o.tier))).toEqual(new Set(['free', 'standard', 'pro', 'business', 'enterprise']));
    expect(BigInt(first.events)).toBeGreaterThan(100n);
    expect(Object.values(first.ticketsByStatus).reduce((a, b) => a + b, 0)).toBe(30);

    // Read the stores again from a new runtime: what a later `npm start` sees.
    const runtime = await startRuntime(configFor(dataDir), { projections: false, watcher: false, saga: false });
    try {
      const queue = await runtime.readModels.queue.find({}, { first: 100 });
      expect(queue.totalCount).toBe(first.queue.open);
      expect(queue.totalCount).toBeGreaterThan(0);
      expect((await runtime.readModels.breaches.find({}, { first: 1 })).totalCount).toBe(first.breaches);
      expect(first.breaches).toBeGreaterThan(0);
      let facts = 0;
      for await (const row of runtime.readModels.facts.openedBefore('2100-01-01T00:00:00.000Z')) {
        expect(row.ticketId).toMatch(/^DEMO-\d{4}$/);
        facts++;
      }
      expect(facts).toBe(30);
      const history = await runtime.store.readStream('ticket-DEMO-0001');
      expect(history[0]?.type).toBe('TicketOpened');
      expect(history[0]?.metadata['correlationId']).toEqual(expect.any(String));
    } finally {
      await runtime.close();
    }
  });

  it('is deterministic for a seed and end time', async () => {
    const again = await seedDemo({ config: configFor(freshDir()), tickets: 30, now: NOW, seed: 7 });
    expect({ ...again, dataDir: '' }).toEqual({ ...first, dataDir: '' });
  });

  it('refuses a data dir that already has events, unless forced', async () => {
    await expect(seedDemo({ config: configFor(dataDir), tickets: 5, now: NOW })).rejects.toThrow(DemoRefusedError);
    const forced = await seedDemo({ config: configFor(dataDir), tickets: 5, now: NOW, force: true });
    expect(forced.ticketIds[0]).toBe('DEMO2-0001');
  });
});
