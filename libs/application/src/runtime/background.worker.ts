/**
 * The background thread of an all-in-one process (`startRuntime` with `background: 'thread'`):
 * the projections and the escalation saga, on their own connections to the stores, so they
 * catch up on the other core instead of competing with requests and the deadline watcher.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { AppConfig } from './app-config.js';
import { startRuntime } from './runtime.js';

const { config, projections, saga } = workerData as { config: AppConfig; projections: boolean; saga: boolean };
try {
  const runtime = await startRuntime(config, { projections, saga, watcher: false, sealer: false });
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type !== 'close') return;
    // Commits the batch in flight and closes the stores before the thread ends.
    void runtime.close().finally(() => process.exit(0));
  });
  parentPort!.postMessage({ type: 'ready' });
  // This thread's heap for the process's metrics: the main thread cannot read it on Node 20.
  const reportMemory = (): void => parentPort!.postMessage({ type: 'memory', heapUsed: getHeapStatistics().used_heap_size });
  reportMemory();
  setInterval(reportMemory, 5_000).unref();
} catch (error) {
  parentPort!.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
