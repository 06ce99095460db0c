import { describe, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describeReadModelStoreContract } from '../read-model-store.contract.js';
import type { ReadModelStore } from '../read-models.port.js';
import { MongoReadModelStore } from './mongo-read-model-store.js';

const READ_MODEL_URL = process.env['READ_MODEL_URL']?.trim();

if (READ_MODEL_URL) {
  const url = READ_MODEL_URL;
  const run = randomUUID().slice(0, 8);
  let counter = 0;
  describeReadModelStoreContract('MongoDB', async () => {
    // A database of its own per test, dropped afterwards: the server may hold other data.
    const database = `tracedesk_contract_${run}_${++counter}`;
    let store: ReadModelStore = MongoReadModelStore.fromConnectionString(url, { database });
    return {
      get store() {
        return store;
      },
      // A process restart: close the client, connect a new one to the same database.
      async reopen() {
        await store.close();
        store = MongoReadModelStore.fromConnectionString(url, { database });
        return store;
      },
      async dispose() {
        await store.close();
        const client = new MongoClient(url);
        try {
          await client.db(database).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  });
} else {
  console.log('MongoDB read-model contract suite SKIPPED: READ_MODEL_URL is not set (a replica set, e.g. mongodb://localhost:27017/tracedesk?replicaSet=rs0&directConnection=true)');
  describe('ReadModelStore contract: MongoDB', () => {
    // Not run here: the contract suite needs a running MongoDB replica set (READ_MODEL_URL; docker/README.md),
    // and this machine has none. A todo entry (no body) is how that shows in jest's --json results:
    // .ci/run counts it under "skipped" and lists it, never under "passed".
    it.todo('MongoDB contract suite: not run, READ_MODEL_URL is not set (no MongoDB server here)');
  });
}
