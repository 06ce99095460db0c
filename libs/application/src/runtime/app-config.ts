import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
  /** Longest the start waits for each store (EventStoreDB, MongoDB, SQLite files) to answer. */
  storeConnectTimeoutMs: number;
  /** How often the sealer signs the heads of the streams changed since the last seal. */
  sealIntervalMs: number;
  /** PEM (PKCS#8) Ed25519 key for seals; unset: `DATA_DIR/seal-key.pem`, generated on first use. */
  sealPrivateKey?: string;
  /** PEM (SPKI) key seals are checked with when this process holds no private key. */
  sealPublicKey?: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A store URL fit for a message: credentials removed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
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
    throw new ConfigError(`READ_MODEL_URL must start with mongodb:// or mongodb+srv:// (got "${redactUrl(readModelUrl)}")`);
  }
  if (eventStoreUrl && !/^(esdb|kurrentdb|kurrent)(\+discover)?:\/\//.test(eventStoreUrl)) {
    throw new ConfigError(`EVENT_STORE_URL must start with esdb:// or kurrentdb:// (got "${redactUrl(eventStoreUrl)}"); leave it unset for the embedded SQLite store`);
  }
  const logLevel = optional('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  const jwtSecret = optional('JWT_SECRET');
  const slaPolicyFile = optional('SLA_POLICY_FILE');
  const sealPrivateKey = optional('SEAL_PRIVATE_KEY');
  const sealPublicKey = optional('SEAL_PUBLIC_KEY');
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
    logLevel,
    storeConnectTimeoutMs: integer(env, 'STORE_CONNECT_TIMEOUT_MS', 10_000, 100, 300_000),
    sealIntervalMs: integer(env, 'SEAL_INTERVAL_MS', 60_000, 100, 86_400_000),
    ...(sealPrivateKey && { sealPrivateKey }),
    ...(sealPublicKey && { sealPublicKey }),
  };
}

/**
 * Checks, before anything is opened, that DATA_DIR is a directory this process can write when
 * something lives there (an embedded store, the generated JWT secret or seal key): a read-only,
 * full or misplaced data directory then stops the start with one clear message instead of a
 * store failing half-way. Writes and removes a small probe file.
 */
export function checkDataDir(config: AppConfig): void {
  if (config.eventStoreUrl && config.readModelUrl && config.jwtSecret && config.sealPrivateKey) return;
  const dir = config.dataDir;
  const probe = join(dir, `.write-probe-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    writeFileSync(probe, 'x'.repeat(4096));
    rmSync(probe, { force: true });
  } catch (error) {
    try {
      rmSync(probe, { force: true });
    } catch {
      // nothing was written
    }
    const { code, message } = error as NodeJS.ErrnoException;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it is not a directory'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'it is read-only for this process'
          : code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG'
            ? 'its disk is full (or a file-size limit is reached)'
            : `it cannot be written`;
    throw new ConfigError(`DATA_DIR ${dir} cannot be used: ${why} (${code ?? message})`);
  }
}
