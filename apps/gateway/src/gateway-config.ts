import { ConfigError } from '@tracedesk/application';

/** Limits of the HTTP / GraphQL edge (the store and projection settings are in AppConfig). */
export interface GatewayConfig {
  /** Largest request body in bytes (Fastify `bodyLimit`). */
  bodyLimitBytes: number;
  /** Deepest selection a query may nest (Mercurius `queryDepth`). */
  queryDepth: number;
  /** Highest cost (graphql-query-complexity: one per field, list fields times `first`). */
  queryComplexity: number;
  /** Most mutation fields one request may run (aliases would otherwise batch thousands of writes). */
  maxMutationsPerRequest: number;
  /** Requests per user (token subject; client address without a token) per window. */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** Readiness fails when any projection is further behind the log than this many events. */
  maxProjectionLag: number;
  /** Responses of read-model queries kept for reuse while the read models are unchanged (0: off). */
  responseCacheEntries: number;
  responseCacheMaxBytes: number;
  /** GraphiQL at /graphiql. */
  graphiql: boolean;
  /** GATEWAY_RUN_WORKER: projections, SLA watcher and saga in this process (false: a separate worker runs them). */
  runWorker: boolean;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false (got "${env[name]}")`);
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    bodyLimitBytes: integer(env, 'GRAPHQL_BODY_LIMIT_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
    // 15 is what the standard introspection query (GraphiQL) needs; the schema itself has no cycles.
    queryDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 16, 2, 100),
    queryComplexity: integer(env, 'GRAPHQL_MAX_COMPLEXITY', 20_000, 10, 10_000_000),
    maxMutationsPerRequest: integer(env, 'GRAPHQL_MAX_MUTATIONS', 10, 1, 10_000),
    rateLimitMax: integer(env, 'RATE_LIMIT_MAX', 6000, 1, 10_000_000),
    rateLimitWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 100, 3_600_000),
    maxProjectionLag: integer(env, 'READINESS_MAX_PROJECTION_LAG', 10_000, 0, 1_000_000_000),
    responseCacheEntries: integer(env, 'RESPONSE_CACHE_ENTRIES', 1000, 0, 1_000_000),
    responseCacheMaxBytes: integer(env, 'RESPONSE_CACHE_MB', 32, 1, 4096) * 1024 * 1024,
    graphiql: flag(env, 'GRAPHIQL', true),
    runWorker: flag(env, 'GATEWAY_RUN_WORKER', true),
  };
}
