import { resolve } from 'node:path';

/** Settings from the environment (names as in API.md). */
export interface AppConfig {
  port: number;
  dataDir: string;
  eventStoreUrl?: string;
  readModelUrl?: string;
  jwtSecret?: string;
  slaPolicyFile?: string;
  /** How often the SLA deadline watcher looks for due clocks. */
  watcherIntervalMs: number;
  /** Longest a query waits for the projections to reach a position (read your writes). */
  readYourWritesTimeoutMs: number;
  /** Most events a projection applies and commits together. */
  projectionBatchSize: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const optional = (name: string): string | undefined => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const eventStoreUrl = optional('EVENT_STORE_URL');
  const readModelUrl = optional('READ_MODEL_URL');
  if (readModelUrl && !/^mongodb(\+srv)?:\/\//.test(readModelUrl)) {
    throw new ConfigError(`READ_MODEL_URL must start with mongodb:// or mongodb+srv:// (got "${readModelUrl}")`);
  }
  const jwtSecret = optional('JWT_SECRET');
  const slaPolicyFile = optional('SLA_POLICY_FILE');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: resolve(optional('DATA_DIR') ?? './data'),
    ...(eventStoreUrl && { eventStoreUrl }),
    ...(readModelUrl && { readModelUrl }),
    ...(jwtSecret && { jwtSecret }),
    ...(slaPolicyFile && { slaPolicyFile: resolve(slaPolicyFile) }),
    watcherIntervalMs: integer(env, 'SLA_WATCHER_INTERVAL_MS', 1000, 10, 3_600_000),
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 60_000),
    projectionBatchSize: integer(env, 'PROJECTION_BATCH_SIZE', 2000, 1, 10_000),
    logLevel: optional('LOG_LEVEL') ?? 'info',
  };
}
