import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../event-store.contract.js';
import { WrongExpectedVersionError } from '../event-store.errors.js';
import type { EventStore } from '../event-store.port.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tracedesk-es-'));
  dirs.push(dir);
  return join(dir, 'events.db');
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeEventStoreContract('SQLite (embedded)', async () => {
  const path = tempFile();
  let store: EventStore = new SqliteEventStore({ path, pollIntervalMs: 20 });
  return {
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = new SqliteEventStore({ path, pollIntervalMs: 20 });
      return store;
    },
    async dispose() {
      await store.close();
    },
  };
});

describe('SqliteEventStore specifics', () => {
  it('is durable by default: WAL journal with synchronous=FULL', async () => {
    const path = tempFile();
    const store = new SqliteEventStore({ path });
    await store.append('s-1', [{ type: 'A', data: {} }], 'no_stream');
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    // synchronous is per connection: read it through the store's own connection.
    expect((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
  });

  it('group-commits concurrent appends; a conflicting one fails alone, positions stay gap-free', async () => {
    const path = tempFile();
    const store = new SqliteEventStore({ path });
    await store.append('g-0', [{ type: 'A', data: {} }], 'no_stream');
    const db = (store as unknown as { db: Database.Database }).db;
    const before = store.commitStats();
    const outcomes = await Promise.allSettled([
      store.append('g-1', [{ type: 'A', data: {} }, { type: 'B', data: {} }], 'no_stream'),
      store.append('g-0', [{ type: 'Conflict', data: {} }], 'no_stream'),
      store.append('g-2', [{ type: 'A', data: {} }], 'no_stream'),
      store.append('g-0', [{ type: 'Next', data: {} }], 0),
    ]);
    const after = store.commitStats();
    expect(after.transactions - before.transactions).toBe(1);
    expect(after.appends - before.appends).toBe(3);
    expect(after.events - before.events).toBe(4);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    const positions = db.prepare('SELECT position FROM events ORDER BY position').pluck().all();
    expect(positions).toEqual([1, 2, 3, 4, 5]);
    expect((await store.readStream('g-0')).map((e) => e.type)).toEqual(['A', 'Next']);
    await store.close();
  });

  it('commits everything queued before close, then refuses new appends', async () => {
    const path = tempFile();
    const store = new SqliteEventStore({ path });
    const pending = Array.from({ length: 20 }, (_, i) => store.append(`c-${i}`, [{ type: 'A', data: { i } }], 'no_stream'));
    await store.close();
    await Promise.all(pending);
    await expect(store.append('c-x', [{ type: 'A', data: {} }], 'any')).rejects.toMatchObject({ code: 'EVENT_STORE_UNAVAILABLE' });
    const reopened = new SqliteEventStore({ path });
    expect(await reopened.headPosition()).toBe(20n);
    await reopened.close();
  });

  it('wakes a live subscription on appends made by another process (polling)', async () => {
    const path = tempFile();
    const store = new SqliteEventStore({ path, pollIntervalMs: 25 });
    await store.append('x-0', [{ type: 'Init', data: {} }], 'no_stream');
    const subscription = store.subscribeToAll({ after: await store.headPosition() });
    const next = subscription[Symbol.asyncIterator]().next();
    // A separate Node process writes straight to the file through its own connection.
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.pragma('journal_mode = WAL');
      db.prepare("INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES ('x-1', 0, '00000000-0000-4000-8000-000000000000', 'FromElsewhere', '{}', '{}', 0)").run();
      db.close();`;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, path], { stdio: 'inherit' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    });
    const result = await next;
    expect(result.done).toBe(false);
    expect(result.value).toMatchObject({ streamId: 'x-1', type: 'FromElsewhere', position: 2n });
    await subscription.close();
    await store.close();
  });

  it('reads lazily: a subscription that is not consumed reads no further than one batch', async () => {
    const path = tempFile();
    const store = new SqliteEventStore({ path });
    for (let i = 0; i < 10; i++) {
      await store.append(`b-${i}`, Array.from({ length: 100 }, () => ({ type: 'A', data: {} })), 'no_stream');
    }
    let reads = 0;
    const internals = store as unknown as { readAllSync: (after: bigint, max: number) => unknown[] };
    const readAllSync = internals.readAllSync.bind(store);
    internals.readAllSync = (after, max) => {
      reads++;
      return readAllSync(after, max);
    };
    const subscription = store.subscribeToAll({ batchSize: 50 });
    const iterator = subscription[Symbol.asyncIterator]();
    for (let i = 0; i < 60; i++) await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toBe(2);
    await subscription.close();
    await store.close();
  });
});
