import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Kind, type DocumentNode, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { Logger } from 'pino';
import type { Actor } from '@tracedesk/domain';
import type { GatewayContext } from './auth/auth.js';

/** What one GraphQL request did, gathered by the hooks and logged once when the response is sent. */
interface RequestInfo {
  operation?: string;
  operationName?: string;
  fields?: string[];
  user?: { sub: string; role: string; org?: string };
  outcome?: string;
  /** Answered from the response cache. */
  cached?: boolean;
}

export interface RequestLog {
  /** Records what a request answered without running GraphQL (a response-cache hit). */
  answeredFromCache(request: FastifyRequest, operation: { name: string | undefined; rootFields: readonly string[] }, actor: Actor): void;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

const userOf = (actor: Actor): NonNullable<RequestInfo['user']> => ({ sub: actor.id, role: actor.role, ...(actor.organizationId && { org: actor.organizationId }) });

function operationOf(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? operations.find((o) => o.name?.value === name) : operations[0];
}

/** onResolution sees the errors as the error formatter made them: the API code is in extensions. */
function errorCode(error: { extensions?: Record<string, unknown> }): string {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * One structured (pino, JSON) line per GraphQL request: correlation id, HTTP method, operation
 * type / name / root fields, the user (token subject, role, organization), HTTP status, outcome
 * (`ok` or the API error codes) and duration. Never the token, the query text, variables or
 * bodies. The correlation id is the client's `x-correlation-id` when it is a plain id, else a
 * new UUID; it is put back on the request headers before the GraphQL context reads it (so the
 * commands' metadata carry the same id) and echoed in the response's `x-correlation-id`.
 *
 * Call after `app.init()` (Mercurius is registered then) and before `listen`.
 */
export function installRequestLog(fastify: FastifyInstance, logger: Logger, path = '/graphql'): RequestLog {
  const log = logger.child({ component: 'gateway' });
  const infos = new WeakMap<FastifyRequest, RequestInfo>();
  const isGraphql = (request: FastifyRequest): boolean => request.url === path || request.url.startsWith(`${path}?`);

  fastify.addHook('onRequest', async (request, reply) => {
    if (!isGraphql(request)) return;
    const sent = request.headers['x-correlation-id'];
    const correlationId = typeof sent === 'string' && CORRELATION_ID.test(sent) ? sent : randomUUID();
    request.headers['x-correlation-id'] = correlationId;
    reply.header('x-correlation-id', correlationId);
    infos.set(request, {});
  });

  fastify.graphql.addHook('preExecution', (_schema, document, context: MercuriusContext) => {
    const info = infos.get(context.reply.request);
    if (!info) return;
    const body = context.reply.request.body as { operationName?: unknown } | undefined;
    const requested = typeof body?.operationName === 'string' ? body.operationName : undefined;
    const operation = operationOf(document, requested);
    if (operation) {
      info.operation = operation.operation;
      if (operation.name) info.operationName = operation.name.value;
      info.fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
    }
    const { actor } = context as unknown as GatewayContext;
    if (actor) info.user = userOf(actor);
  });

  fastify.graphql.addHook('onResolution', (execution: ExecutionResult, context: MercuriusContext) => {
    const info = infos.get(context.reply.request);
    if (!info) return;
    const codes = [...new Set((execution.errors ?? []).map((e) => errorCode(e as { extensions?: Record<string, unknown> })))];
    info.outcome = codes.length === 0 ? 'ok' : codes.join(',');
  });

  fastify.addHook('onResponse', async (request, reply) => {
    // Refused before this plugin's onRequest ran (the rate limit answers 429 first): log it too.
    const info = infos.get(request) ?? (isGraphql(request) ? {} : undefined);
    if (!info) return;
    const sent = request.headers['x-correlation-id'];
    const status = reply.statusCode;
    // No resolution: refused before execution (parse / validation 400, body 413, rate limit 429).
    const outcome = info.outcome ?? (status === 429 ? 'RATE_LIMITED' : status === 413 ? 'BAD_USER_INPUT' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : status >= 400 ? 'BAD_USER_INPUT' : 'ok');
    const line = {
      correlationId: typeof sent === 'string' && CORRELATION_ID.test(sent) ? sent : null,
      method: request.method,
      ...(info.operation && { operation: info.operation }),
      ...(info.operationName && { operationName: info.operationName }),
      ...(info.fields && { fields: info.fields }),
      ...(info.cached && { cached: true }),
      user: info.user ?? null,
      status,
      outcome,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (status >= 500) log.error(line, 'graphql request');
    else log.info(line, 'graphql request');
  });

  return {
    answeredFromCache(request, operation, actor) {
      const info = infos.get(request);
      if (!info) return;
      Object.assign(info, { operation: 'query', fields: [...operation.rootFields], user: userOf(actor), outcome: 'ok', cached: true });
      if (operation.name) info.operationName = operation.name;
    },
  };
}
