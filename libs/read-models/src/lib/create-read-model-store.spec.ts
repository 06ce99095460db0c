import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadModelStore } from './create-read-model-store.js';
import { databaseFromUrl, MongoReadModelStore } from './mongodb/mongo-read-model-store.js';
import { SqliteReadModelStore } from './sqlite/sqlite-read-model-store.js';

describe('createReadModelStore', () => {
  it('chooses SQLite at DATA_DIR/read-models.db without a URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracedesk-rm-'));
    try {
      for (const readModelUrl of [undefined, '', '  ']) {
        const store = createReadModelStore({ dataDir: dir, ...(readModelUrl !== undefined && { readModelUrl }) });
        expect(store).toBeInstanceOf(SqliteReadModelStore);
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chooses MongoDB for mongodb:// and mongodb+srv:// (connecting only on first use)', async () => {
    for (const url of ['mongodb://localhost:27017/tracedesk?replicaSet=rs0&directConnection=true', 'mongodb+srv://cluster0.example.net/reports']) {
      const store = createReadModelStore({ dataDir: '/unused', readModelUrl: url });
      expect(store).toBeInstanceOf(MongoReadModelStore);
      await store.close();
    }
  });

  it('refuses any other URL instead of silently using SQLite', () => {
    expect(() => createReadModelStore({ dataDir: '/unused', readModelUrl: 'postgres://localhost/db' })).toThrow(/mongodb:\/\//);
  });

  it('takes the MongoDB database from the URL path, default tracedesk', () => {
    expect(databaseFromUrl('mongodb://localhost:27017/tracedesk?replicaSet=rs0&directConnection=true')).toBe('tracedesk');
    expect(databaseFromUrl('mongodb://u:p%40ss@h1:27017,h2:27018/reports_db?replicaSet=rs0')).toBe('reports_db');
    expect(databaseFromUrl('mongodb+srv://cluster0.example.net/analytics')).toBe('analytics');
    expect(databaseFromUrl('mongodb://localhost:27017')).toBe('tracedesk');
    expect(databaseFromUrl('mongodb://localhost:27017/')).toBe('tracedesk');
    expect(databaseFromUrl('mongodb://localhost:27017/?replicaSet=rs0')).toBe('tracedesk');
  });
});
