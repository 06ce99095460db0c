import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { checkDataDir, loadConfig, startRuntime, type Runtime, type RuntimeOptions } from '@tracedesk/application';
import rateLimit from '@fastify/rate-limit';
import { authenticateRequest } from './auth/auth.js';
import { loadJwtSecret } from './auth/jwt.js';
import { loadGatewayConfig, type GatewayConfig } from './gateway-config.js';
import { GatewayModule } from './gateway.module.js';
import { GatewayMetrics, readiness } from './operations.js';
import { installRequestLog } from './request-log.js';
import { installResponseCache, ResponseCache } from './graphql/response-cache.js';

export interface GatewayServerOptions {
  /** Environment to configure from (API.md names); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Overrides `PORT`; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Which background parts run in this process (all by default) and the clock. */
  runtime?: RuntimeOptions;
}

export interface GatewayServer {
  /** Base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** The GraphQL endpoint: `${url}/graphql`. */
  graphqlUrl: string;
  runtime: Runtime;
  config: GatewayConfig;
  jwtSecret: Uint8Array;
  /** The schema as served, sorted (what apps/gateway/schema.graphql holds). */
  schema(): string;
  /** Stops accepting requests, lets in-flight ones finish, then closes the runtime. */
  close(): Promise<void>;
}

/** Starts the gateway and the runtime (projections, SLA watcher, saga) in this process. */
export async function createGatewayServer(options: GatewayServerOptions = {}): Promise<GatewayServer> {
  const env = options.env ?? process.env;
  const appConfig = loadConfig(env);
  const config = loadGatewayConfig(env);
  // Before the JWT secret is generated into DATA_DIR: an unusable DATA_DIR gets one clear message.
  checkDataDir(appConfig);
  const jwtSecret = loadJwtSecret(appConfig);
  const runtime = await startRuntime(appConfig, options.runtime);
  let app: NestFastifyApplication | undefined;
  try {
    const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, logger: false });
    const metrics = new GatewayMetrics(runtime);
    app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot({ runtime, config, jwtSecret, metrics }), adapter, {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    const fastify = app.getHttpAdapter().getInstance();
    // Per user: keyed by the verified token subject (a forged sub cannot spend someone else's
    // budget), by client address without a valid token. Registered before app.init() so it
    // also covers the GraphQL route Mercurius adds then.
    await app.register(rateLimit, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      keyGenerator: async (request) => {
        const { actor } = await authenticateRequest(jwtSecret, request);
        return actor ? `user:${actor.id}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        data: null,
        errors: [{ message: `Too many requests: at most ${context.max} per ${context.after}; try again in ${context.after}.`, extensions: { code: 'RATE_LIMITED' } }],
      }),
    });
    // Liveness: the process answers. Readiness: stores reachable, projections within the lag limit.
    fastify.get('/health/live', async () => ({ status: 'ok' }));
    fastify.get('/health', async (_request, reply) => {
      const report = await readiness(runtime, config);
      return reply.code(report.status === 'ok' ? 200 : 503).send(report);
    });
    fastify.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
    // One JSON log line per GraphQL request, with its correlation id (hooks need Mercurius: after init).
    await app.init();
    const requestLog = installRequestLog(fastify, runtime.logger);
    installResponseCache(fastify, {
      cache: new ResponseCache({ entries: config.responseCacheEntries, maxBytes: config.responseCacheMaxBytes }),
      secret: jwtSecret,
      changeToken: () => runtime.readModels.changeToken(),
      count: (result) => metrics.responseCache.inc({ result }),
      answered: (request, operation, actor) => requestLog.answeredFromCache(request, operation, actor),
    });
    await app.listen(options.port ?? appConfig.port, options.host ?? env['HOST'] ?? '127.0.0.1');
  } catch (error) {
    await app?.close().catch(() => undefined);
    await runtime.close();
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    graphqlUrl: `${url}/graphql`,
    runtime,
    config,
    jwtSecret,
    schema: () => printSchema(lexicographicSortSchema(started.get(GraphQLSchemaHost).schema)),
    close() {
      closing ??= (async () => {
        try {
          await started.close();
        } finally {
          await runtime.close();
        }
      })();
      return closing;
    },
  };
}
