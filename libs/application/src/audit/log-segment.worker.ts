/**
 * Worker-thread entry of `verifyLog`: verifies one position range through its own store
 * connection, so hashing (canonical JSON + SHA-256, ~10 µs an event) runs on every core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEventStore, type EventStoreConfig } from '@tracedesk/event-store';
import { verifySegment } from './log-segment.js';

interface SegmentJob {
  storeConfig: EventStoreConfig;
  after: bigint;
  to: bigint;
  sealed: Map<string, { revision: number; hash: string }>;
}

const job = workerData as SegmentJob;
const store = createEventStore(job.storeConfig);
try {
  const result = await verifySegment(store, job.after, job.to, job.sealed, (events) => parentPort!.postMessage({ progress: events }));
  parentPort!.postMessage({ result });
} finally {
  await store.close();
}
