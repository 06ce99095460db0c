/**
 * The background thread of an all-in-one process (`startRuntime` with `background: 'thread'`):
 * the projections and the escalation saga, on their own connections to the stores, so they
 * catch up on the other core instead of competing with requests and the deadline watcher.
 */
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
} catch (error) {
  parentPort!.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
