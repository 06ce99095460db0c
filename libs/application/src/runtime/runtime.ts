import 'reflect-metadata';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { createEventStore, type EventStore } from '@tracedesk/event-store';
import { createReadModelStore, type ReadModelStore } from '@tracedesk/read-models';
import { ALL_PROJECTIONS, ProjectionRunner } from '@tracedesk/projections';
import { defaultSlaPolicy, loadSlaPolicyFile, type SlaPolicy } from '@tracedesk/sla';
import { pino, type Logger } from 'pino';
import { ApplicationModule } from '../application.module.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { BreachEscalationSaga } from '../sla/breach-escalation.saga.js';
import { SlaDeadlineWatcher } from '../sla/sla-deadline-watcher.js';
import { ConfigError, checkDataDir, redactUrl, type AppConfig } from './app-config.js';
import { Sealer } from '../audit/seals.js';
import { loadSealPrivateKey } from '../audit/seal-keys.js';

export interface RuntimeOptions {
  projections?: boolean;
  watcher?: boolean;
  saga?: boolean;
  /** Seal the stream heads every `sealIntervalMs` (tests turn it off and call `sealer.sealNow()`). */
  sealer?: boolean;
  clock?: Clock;
  logger?: Logger;
  /**
   * Where the projections and the saga run: `inline`, on this thread (the default), or
   * `thread`, on a worker thread of this process with its own store connections (what the
   * all-in-one `npm start` does, so catching up never delays requests or the deadline watcher).
   * Queries still wait for them here, through the checkpoints they store.
   */
  background?: 'inline' | 'thread';
}

/**
 * A background thread: resolves once its projections and saga run; `close()` commits and ends
 * it; `heapUsedBytes()` is its V8 heap as it last reported (every few seconds).
 */
async function startBackgroundThread(
  config: AppConfig,
  parts: { projections: boolean; saga: boolean },
  onFailure: (error: Error) => void,
): Promise<{ close(): Promise<void>; heapUsedBytes(): number | null }> {
  // `.ts` when run from source (swc), `.js` when built.
  const file = new URL(`./background.worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const thread = new Worker(file, { workerData: { config, ...parts } });
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    thread.once('message', (message: { type: string; message?: string }) =>
      message.type === 'ready' ? resolve() : reject(new ConfigError(message.message ?? 'the background thread did not start')),
    );
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the background thread exited with code ${code} before it was ready`)));
  });
  let closing = false;
  let heapUsed: number | null = null;
  thread.on('message', (message: { type: string; heapUsed?: number }) => {
    if (message.type === 'memory' && typeof message.heapUsed === 'number') heapUsed = message.heapUsed;
  });
  // Once running, a dead thread would leave the projections silently behind: report it.
  thread.on('error', (error) => onFailure(error));
  void exited.then((code) => {
    if (!closing) onFailure(new Error(`the background thread exited with code ${code}`));
  });
  return {
    async close() {
      closing = true;
      thread.postMessage({ type: 'close' });
      await exited;
    },
    heapUsedBytes: () => heapUsed,
  };
}

/** Everything one process runs, wired from configuration; `close()` shuts it down in order. */
export interface Runtime {
  config: AppConfig;
  store: EventStore;
  readModels: ReadModelStore;
  policy: SlaPolicy;
  app: INestApplicationContext;
  runner: ProjectionRunner;
  watcher: SlaDeadlineWatcher;
  saga: BreachEscalationSaga;
  sealer: Sealer;
  logger: Logger;
  /** The background thread's V8 heap in use (a process's RSS holds both threads'); null without one. */
  backgroundHeapUsedBytes(): number | null;
  close(): Promise<void>;
}

/** The SLA policy from `SLA_POLICY_FILE`, or the bundled one; a bad file stops the start. */
export function loadPolicy(config: AppConfig): SlaPolicy {
  if (!config.slaPolicyFile) return defaultSlaPolicy();
  try {
    return loadSlaPolicyFile(config.slaPolicyFile);
  } catch (error) {
    // The policy error already names the file and the bad path in it; say which setting pointed there.
    throw new ConfigError(`SLA_POLICY_FILE ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Waits at most `timeoutMs` for `work`; a failure or the timeout names the store and what was configured. */
async function reachable<T>(what: string, work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms (STORE_CONNECT_TIMEOUT_MS)`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (error) {
    throw new ConfigError(`${what} is unreachable or unusable: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens both stores and makes each answer once (bounded by STORE_CONNECT_TIMEOUT_MS): an
 * unreachable EventStoreDB or MongoDB, or an unusable SQLite file, stops the start with a
 * message naming it, instead of a server that listens but cannot work.
 */
async function openStores(config: AppConfig): Promise<{ store: EventStore; readModels: ReadModelStore }> {
  const timeoutMs = config.storeConnectTimeoutMs;
  const eventStoreName = config.eventStoreUrl ? `the event store (EventStoreDB at EVENT_STORE_URL=${redactUrl(config.eventStoreUrl)})` : `the event store (SQLite ${config.dataDir}/events.db)`;
  const readModelsName = config.readModelUrl ? `the read-model store (MongoDB at READ_MODEL_URL=${redactUrl(config.readModelUrl)})` : `the read-model store (SQLite ${config.dataDir}/read-models.db)`;
  const store = await reachable(eventStoreName, async () => createEventStore({ dataDir: config.dataDir, ...(config.eventStoreUrl && { eventStoreUrl: config.eventStoreUrl }) }), timeoutMs);
  let readModels: ReadModelStore | undefined;
  try {
    await reachable(eventStoreName, () => store.headPosition(), timeoutMs);
    const opened = await reachable(readModelsName, async () => createReadModelStore({ dataDir: config.dataDir, ...(config.readModelUrl && { readModelUrl: config.readModelUrl }) }), timeoutMs);
    readModels = opened;
    await reachable(readModelsName, () => opened.init(), timeoutMs);
    return { store, readModels: opened };
  } catch (error) {
    // Best effort: the process is about to exit anyway, a hung close must not keep it.
    void store.close().catch(() => undefined);
    void readModels?.close().catch(() => undefined);
    throw error;
  }
}

export async function startRuntime(config: AppConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'tracedesk' } });
  const policy = loadPolicy(config);
  checkDataDir(config);
  const { store, readModels } = await openStores(config);
  const app = await NestFactory.createApplicationContext(
    ApplicationModule.forRoot({ eventStore: store, readModels, policy, clock: options.clock ?? systemClock }),
    { logger: false },
  );
  await app.init();
  const runner = new ProjectionRunner(store, readModels, ALL_PROJECTIONS, {
    batchSize: config.projectionBatchSize,
    logger: {
      info: (message, fields) => logger.info(fields ?? {}, message),
      error: (message, fields) => logger.error(fields ?? {}, message),
    },
  });
  const watcher = app.get(SlaDeadlineWatcher);
  const saga = app.get(BreachEscalationSaga);
  const inThread = options.background === 'thread';
  const background =
    inThread && (options.projections !== false || options.saga !== false)
      ? await startBackgroundThread(config, { projections: options.projections !== false, saga: options.saga !== false }, (error) => {
          // Crash-only: projections and saga resume from their checkpoints when restarted.
          logger.fatal({ err: error }, 'the background thread (projections, saga) failed; exiting so the process is restarted');
          process.exit(1);
        }).catch(async (error: unknown) => {
          await Promise.allSettled([app.close(), store.close(), readModels.close()]);
          throw error;
        })
      : null;
  if (!inThread && options.projections !== false) await runner.start();
  if (!inThread && options.saga !== false) await saga.start();
  if (options.watcher !== false) watcher.start(config.watcherIntervalMs);
  const sealer = new Sealer({
    store,
    clock: options.clock ?? systemClock,
    privateKey: () => loadSealPrivateKey(config)!,
    onError: (error) => logger.error({ err: error }, 'sealing failed; the next run tries again'),
  });
  if (options.sealer !== false) sealer.start(config.sealIntervalMs);
  // Which parts run where: one line from the main thread, one from a background thread.
  const enabled = { projections: options.projections !== false, saga: options.saga !== false, watcher: options.watcher !== false, sealer: options.sealer !== false };
  const threaded = (part: string): boolean => background !== null && (part === 'projections' || part === 'saga');
  const parts = Object.keys(enabled).filter((part) => enabled[part as keyof typeof enabled]);
  logger.info(
    {
      eventStore: config.eventStoreUrl ? 'EventStoreDB' : `SQLite ${config.dataDir}/events.db`,
      readModels: config.readModelUrl ? 'MongoDB' : `SQLite ${config.dataDir}/read-models.db`,
      policyVersion: policy.version,
      running: parts.filter((part) => !threaded(part)),
      ...(background && { onBackgroundThread: parts.filter(threaded) }),
    },
    isMainThread ? 'tracedesk runtime started' : 'tracedesk background thread started',
  );
  let closing: Promise<void> | null = null;
  return {
    config,
    store,
    readModels,
    policy,
    app,
    runner,
    watcher,
    saga,
    sealer,
    logger,
    backgroundHeapUsedBytes: () => background?.heapUsedBytes() ?? null,
    close() {
      closing ??= (async () => {
        watcher.stop();
        await sealer.stop();
        await saga.stop();
        await runner.stop();
        await background?.close();
        await app.close();
        await store.close();
        await readModels.close();
      })();
      return closing;
    },
  };
}
