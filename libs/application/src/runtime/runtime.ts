import 'reflect-metadata';
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
import type { AppConfig } from './app-config.js';

export interface RuntimeOptions {
  projections?: boolean;
  watcher?: boolean;
  saga?: boolean;
  clock?: Clock;
  logger?: Logger;
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
  logger: Logger;
  close(): Promise<void>;
}

/** The SLA policy from `SLA_POLICY_FILE`, or the bundled one; a bad file stops the start. */
export function loadPolicy(config: AppConfig): SlaPolicy {
  return config.slaPolicyFile ? loadSlaPolicyFile(config.slaPolicyFile) : defaultSlaPolicy();
}

export async function startRuntime(config: AppConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'tracedesk' } });
  const policy = loadPolicy(config);
  const store = createEventStore({ dataDir: config.dataDir, ...(config.eventStoreUrl && { eventStoreUrl: config.eventStoreUrl }) });
  const readModels = createReadModelStore({ dataDir: config.dataDir, ...(config.readModelUrl && { readModelUrl: config.readModelUrl }) });
  await readModels.init();
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
  if (options.projections !== false) await runner.start();
  if (options.saga !== false) await saga.start();
  if (options.watcher !== false) watcher.start(config.watcherIntervalMs);
  logger.info(
    {
      eventStore: config.eventStoreUrl ? 'EventStoreDB' : `SQLite ${config.dataDir}/events.db`,
      readModels: config.readModelUrl ? 'MongoDB' : `SQLite ${config.dataDir}/read-models.db`,
      policyVersion: policy.version,
    },
    'tracedesk runtime started',
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
    logger,
    close() {
      closing ??= (async () => {
        watcher.stop();
        await saga.stop();
        await runner.stop();
        await app.close();
        await store.close();
        await readModels.close();
      })();
      return closing;
    },
  };
}
