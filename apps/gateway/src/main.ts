/**
 * `npm start`: the GraphQL gateway, the projections, the SLA deadline watcher and the
 * escalation saga in one process, on the embedded SQLite stores unless EVENT_STORE_URL /
 * READ_MODEL_URL say otherwise (GATEWAY_RUN_WORKER=false: the API only, next to a worker). SIGTERM / SIGINT: stop taking requests, finish the ones in
 * flight, then finish the projection batch and close the stores.
 */
import { ConfigError } from '@tracedesk/application';
import { loadGatewayConfig } from './gateway-config.js';
import { createGatewayServer } from './server.js';

try {
  // GATEWAY_RUN_WORKER=false: a separate worker (`npm run worker`, the compose `worker` service)
  // runs the projections, the SLA watcher and the saga; this process only serves the API
  // (read-your-writes and /health then follow the checkpoints the worker stores).
  const runWorker = loadGatewayConfig().runWorker;
  // All in one: the projections and the saga on a background thread, requests and the watcher here.
  const server = await createGatewayServer(runWorker ? { runtime: { background: 'thread' } } : { runtime: { projections: false, watcher: false, saga: false, sealer: false } });
  const { logger, config } = server.runtime;
  logger.info({ url: server.graphqlUrl, dataDir: config.dataDir }, 'gateway listening');
  process.stdout.write(
    [
      '',
      `tracedesk is up: GraphQL at ${server.graphqlUrl}` + (server.config.graphiql ? `, explorer at ${server.url}/graphiql` : ''),
      `Health at ${server.url}/health, metrics at ${server.url}/metrics`,
      'Get a token (same DATA_DIR / JWT_SECRET as this server):',
      '  npm run token -- --role admin --sub root',
      '  npm run token -- --role agent --sub alice',
      '  npm run token -- --role customer --sub <contactId> --org <organizationId>',
      'and send it as the header  Authorization: Bearer <token>',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight, then the projection batch');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  if (process.send) process.send({ ready: true, url: server.url });
} catch (error) {
  // Configuration and policy errors are meant for the operator; others keep their stack.
  // System errors (EADDRINUSE on listen, say) carry an errno code and a message that says it all.
  const expected = error instanceof ConfigError || (error instanceof Error && ((/Error$/.test(error.name) && error.name !== 'Error') || typeof (error as NodeJS.ErrnoException).syscall === 'string'));
  const message = expected ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`tracedesk gateway could not start: ${message}\n`);
  process.exit(1);
}
