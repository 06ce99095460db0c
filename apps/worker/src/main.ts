/**
 * The worker: projections, the SLA deadline watcher and the escalation saga, without the
 * GraphQL gateway. Configured by the environment (DATA_DIR, EVENT_STORE_URL, READ_MODEL_URL,
 * SLA_POLICY_FILE, SLA_WATCHER_INTERVAL_MS, SEAL_INTERVAL_MS). WORKER_PARTS=projections,watcher,saga,sealer selects parts.
 */
import { ConfigError, loadConfig, startRuntime } from '@tracedesk/application';

const parts = new Set((process.env['WORKER_PARTS'] ?? 'projections,watcher,saga,sealer').split(',').map((p) => p.trim()));

try {
  const config = loadConfig();
  const runtime = await startRuntime(config, {
    projections: parts.has('projections'),
    watcher: parts.has('watcher'),
    saga: parts.has('saga'),
    sealer: parts.has('sealer'),
  });
  const shutdown = (signal: string): void => {
    runtime.logger.info({ signal }, 'shutting down: finishing the batch in flight');
    void runtime.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  // Lets a parent process (tests, the CLI) know the worker is up.
  if (process.send) process.send({ ready: true });
} catch (error) {
  const message = error instanceof ConfigError || (error instanceof Error && error.name.endsWith('Error')) ? error.message : String(error);
  process.stderr.write(`tracedesk worker could not start: ${message}\n`);
  process.exit(1);
}
