import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getOperationAST, Kind, parse, type ExecutionResult, type OperationDefinitionNode } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import type { Actor } from '@tracedesk/domain';
import { authenticateRequest } from '../auth/auth.js';
import { isAllowed } from '../auth/permissions.js';

/**
 * Root fields whose answer depends on nothing but the read models and the caller's visibility
 * (role, and organization for a customer): no clock, no event-store read, no caller id. Only
 * these may be answered from the cache; add a field here only if that holds for it.
 */
export const CACHEABLE_FIELDS: ReadonlySet<string> = new Set(['queue', 'slaBreaches']);

export interface ResponseCacheLimits {
  /** Responses kept at most (0: the cache is off). */
  entries: number;
  /** Text kept at most, keys and responses together, in characters (bytes, for ASCII JSON). */
  maxBytes: number;
}

/** What a request asks, as far as the cache is concerned. */
export interface CacheableRequest {
  /** The root fields the permission table is asked about (`__typename` needs no permission). */
  fields: readonly string[];
  /** The operation as the request log names it: its declared name and every root field. */
  operation: CacheableOperation;
  /** operation name, query text and variables: what, besides the caller, decides the answer. */
  key: string;
}

export interface CacheableOperation {
  name: string | undefined;
  rootFields: readonly string[];
}

/** Documents whose cacheability is remembered (texts are parsed once each). */
const DOCUMENTS_KEPT = 1000;
/** Longer query texts are not cached (nor remembered): polling queries are short. */
export const MAX_CACHEABLE_QUERY_CHARS = 16 * 1024;
/** A cacheable text names one of the fields; anything else is not parsed a second time. */
const MENTIONS_CACHEABLE_FIELD = new RegExp([...CACHEABLE_FIELDS].join('|'));

/**
 * Whole GraphQL responses of read-model queries, reused while the read models have not changed.
 * A response is stored under the caller's visibility and the request's text, with the store's
 * change token read *before* the query ran; it is reused only while the token is still that
 * value, so any commit in between (a projection batch, a rebuild in another process) makes it
 * unusable. Only responses without errors are kept. Agents polling the same queue pages get
 * the stored text; authentication, the rate limit and the permission table still apply to
 * every request (the caller of `lookup` checks them).
 */
export class ResponseCache {
  private readonly documents = new Map<string, CacheableOperation | null>();
  private readonly responses = new Map<string, string>();
  private token: number | null = null;
  private bytes = 0;

  constructor(private readonly limits: ResponseCacheLimits) {}

  get enabled(): boolean {
    return this.limits.entries > 0;
  }

  get size(): number {
    return this.responses.size;
  }

  /** The request's cacheable form, or null when it is not a query of cacheable fields only. */
  cacheable(body: unknown): CacheableRequest | null {
    if (!this.enabled || body === null || typeof body !== 'object' || Array.isArray(body)) return null;
    // Anything besides these (extensions, persisted) changes how Mercurius reads the request.
    for (const field of Object.keys(body)) if (field !== 'query' && field !== 'variables' && field !== 'operationName') return null;
    const { query, variables, operationName } = body as Record<string, unknown>;
    if (typeof query !== 'string' || query.length > MAX_CACHEABLE_QUERY_CHARS || !MENTIONS_CACHEABLE_FIELD.test(query)) return null;
    // An empty name is refused by GraphQL ("Unknown operation named"), unlike no name: not the same request.
    if (operationName === '' || (operationName !== undefined && operationName !== null && typeof operationName !== 'string')) return null;
    const name = operationName ?? '';
    const operation = this.operation(query, name);
    if (operation === null) return null;
    const fields = operation.rootFields.filter((field) => field !== '__typename');
    return { fields, operation, key: `${name}\u0000${query}\u0000${variables === undefined || variables === null ? '' : JSON.stringify(variables)}` };
  }

  /** The stored response for `key`, if it was stored while the read models were as they are now (`token`). */
  get(key: string, token: number): string | undefined {
    this.moveTo(token);
    const hit = this.responses.get(key);
    if (hit !== undefined) {
      // Most recently used last: Map keeps insertion order, so eviction takes the first.
      this.responses.delete(key);
      this.responses.set(key, hit);
    }
    return hit;
  }

  /** Keeps `response`, computed after `token` was read; dropped if the read models moved on since. */
  set(key: string, token: number, response: string): void {
    const size = key.length + response.length;
    if (token !== this.token || size > this.limits.maxBytes) return;
    const old = this.responses.get(key);
    if (old !== undefined) this.bytes -= key.length + old.length;
    this.responses.delete(key);
    this.responses.set(key, response);
    this.bytes += size;
    while (this.responses.size > this.limits.entries || this.bytes > this.limits.maxBytes) {
      const [oldest, text] = this.responses.entries().next().value as [string, string];
      this.responses.delete(oldest);
      this.bytes -= oldest.length + text.length;
    }
  }

  /** Every stored response was computed before the read models changed: none is usable any more. */
  private moveTo(token: number): void {
    if (token === this.token) return;
    this.token = token;
    this.responses.clear();
    this.bytes = 0;
  }

  private operation(query: string, operationName: string): CacheableOperation | null {
    const memo = `${operationName}\u0000${query}`;
    let operation = this.documents.get(memo);
    if (operation === undefined) {
      operation = cacheableOperation(query, operationName);
      if (this.documents.size >= DOCUMENTS_KEPT) this.documents.clear();
      this.documents.set(memo, operation);
    }
    return operation;
  }
}

/** The operation a request runs, if it is a query of cacheable root fields only. */
export function cacheableOperation(query: string, operationName: string): CacheableOperation | null {
  let operation: OperationDefinitionNode | null | undefined;
  try {
    // The named operation, or the only one when none is named: what graphql-js will execute.
    operation = getOperationAST(parse(query, { noLocation: true }), operationName || undefined);
  } catch {
    return null; // the normal path answers with the parse error
  }
  if (!operation || operation.operation !== 'query') return null;
  const rootFields: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    // Fragments at the root would need resolving here; such requests simply take the normal path.
    if (selection.kind !== Kind.FIELD) return null;
    const name = selection.name.value;
    if (name !== '__typename' && !CACHEABLE_FIELDS.has(name)) return null;
    rootFields.push(name);
  }
  if (!rootFields.some((name) => name !== '__typename')) return null;
  return { name: operation.name?.value, rootFields };
}

export interface ResponseCacheHooks {
  cache: ResponseCache;
  secret: Uint8Array;
  /** The read models' change token (`ReadModelStore.changeToken`). */
  changeToken(): number | null;
  /** Counts hits and misses (metrics). */
  count(result: 'hit' | 'miss'): void;
  /** Tells the request log what a hit answered (its GraphQL hooks do not run for one). */
  answered(request: FastifyRequest, operation: CacheableOperation, actor: Actor): void;
  path?: string;
}

/**
 * Puts the cache in front of Mercurius: a preHandler (after the body limit, rate limit and
 * correlation id) answers a hit; for a miss, the response is kept when it is sent if execution
 * had no errors. `Cache-Control: no-cache` (or `no-store`) on a request bypasses the cache.
 * Authentication and the permission table are applied here too, so a caller
 * without a valid token or the role for every field is never answered from the cache (the
 * normal path then refuses). Call after `app.init()` (Mercurius is registered then).
 */
export function installResponseCache(fastify: FastifyInstance, hooks: ResponseCacheHooks): void {
  const { cache, secret, path = '/graphql' } = hooks;
  // A store without a change token (MongoDB) can never have a hit: no hooks, no work per request.
  if (!cache.enabled || hooks.changeToken() === null) return;
  const pending = new WeakMap<FastifyRequest, { key: string; token: number }>();
  const clean = new WeakSet<FastifyRequest>();

  fastify.addHook('preHandler', async (request, reply) => {
    // A body Mercurius's own schema refuses (validated in its handler) takes the normal path.
    if (request.method !== 'POST' || request.url !== path || request.validationError) return;
    // Cheapest first: most requests (every mutation) stop at the body check, remembered per text.
    const cacheable = cache.cacheable(request.body);
    if (!cacheable) return;
    const { actor } = await authenticateRequest(secret, request);
    if (!actor || !cacheable.fields.every((field) => isAllowed(field, actor.role))) return;
    const token = hooks.changeToken();
    if (token === null) return; // the store is closing
    // The client asks for a fresh answer (HTTP's request directives): run it, keep nothing.
    if (/no-cache|no-store/i.test(request.headers['cache-control'] ?? '')) {
      reply.header('x-response-cache', 'bypass');
      return;
    }
    // The caller's visibility: a customer sees its organization's tickets, staff see all.
    const key = `${actor.role}\u0000${actor.organizationId ?? ''}\u0000${cacheable.key}`;
    const hit = cache.get(key, token);
    if (hit !== undefined) {
      hooks.count('hit');
      hooks.answered(request, cacheable.operation, actor);
      return reply.header('x-response-cache', 'hit').type('application/json; charset=utf-8').send(hit);
    }
    hooks.count('miss');
    pending.set(request, { key, token });
    reply.header('x-response-cache', 'miss');
  });

  fastify.graphql.addHook('onResolution', (execution: ExecutionResult, context: MercuriusContext) => {
    if (!execution.errors?.length) clean.add(context.reply.request);
  });

  fastify.addHook('onSend', async (request, reply, payload) => {
    const miss = pending.get(request);
    if (miss && reply.statusCode === 200 && clean.has(request) && typeof payload === 'string') cache.set(miss.key, miss.token, payload);
    return payload;
  });
}
