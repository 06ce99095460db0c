import { GraphQLError, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import { toApiError, type ApiErrorCode } from '@tracedesk/application';
import type { Logger } from 'pino';

/** An error the gateway itself raises (authentication, authorisation, limits): safe to show. */
export class GatewayError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  /** graphql-js copies this onto the GraphQLError (what Mercurius sends for a refused subscription). */
  get extensions(): Record<string, unknown> {
    return { code: this.code, ...this.details };
  }
}

export interface ClientError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  /** RATE_LIMITED (HTTP 429) is the gateway's addition to API.md's codes. */
  extensions: { code: ApiErrorCode | 'RATE_LIMITED' } & Record<string, unknown>;
}

/** Maps what a resolver threw to what the client sees; anything unknown is logged, not shown. */
export function resolverError(error: unknown, logger: Logger, where: Record<string, unknown>): { code: ApiErrorCode; message: string; details: Record<string, unknown> } {
  if (error instanceof GatewayError) return { code: error.code, message: error.message, details: error.details };
  const api = toApiError(error);
  if (api.code === 'INTERNAL_SERVER_ERROR' || api.code === 'SERVICE_UNAVAILABLE') {
    logger.error({ err: error, ...where }, 'request failed');
  }
  return { code: api.code, message: api.message, details: api.details ?? {} };
}

/** GraphQL errors carried by Mercurius's validation error (parse, validation, depth). */
function flatten(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.flatMap((error) => {
    const inner = (error.originalError as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(inner)
      ? inner.map((e) => (e instanceof GraphQLError ? e : new GraphQLError(String((e as Error).message ?? e), e instanceof Error ? { originalError: e } : {})))
      : [error];
  });
}

/**
 * A JavaScript runtime failure (not a message written for clients) behind a request-level
 * error. The parser recursing too deep (`{ a { a { … } } }` many thousand levels, within the
 * body limit) or a library tripping over odd input used to send its raw message, e.g.
 * "Maximum call stack size exceeded" or "… is not iterable" (hostile-input test).
 */
function runtimeFailure(error: GraphQLError): Error | undefined {
  let cause: unknown = error.originalError;
  while (cause instanceof GraphQLError) cause = cause.originalError;
  // Fastify's own refusals (413 is a RangeError) carry a status and a message for clients.
  if (typeof (cause as { statusCode?: unknown } | undefined)?.statusCode === 'number') return undefined;
  return cause instanceof TypeError || cause instanceof RangeError || cause instanceof ReferenceError || cause instanceof EvalError || cause instanceof URIError
    ? cause
    : undefined;
}

/**
 * Mercurius `errorFormatter`: every error leaves with an API code. Errors without a path come
 * from parsing, validation, depth / cost limits or variable coercion (their messages name the
 * field and are meant for clients) → BAD_USER_INPUT, HTTP 400 when nothing executed. Errors
 * with a path were thrown by resolvers and go through `resolverError`.
 */
export function formatErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  logger: Logger,
  correlationId: string | undefined,
): { statusCode: number; response: FormattedExecutionResult & { errors: ClientError[] } } {
  let requestLevel = false;
  // Fastify's own refusals (413 body too large, 429 rate limited) keep their HTTP status.
  const fastifyStatus = (execution.errors[0]?.originalError as { statusCode?: unknown } | undefined)?.statusCode;
  const errors = flatten(execution.errors).map((error): ClientError => {
    const base = {
      ...(error.locations && { locations: error.locations }),
      ...(error.path && { path: error.path }),
    };
    if (!error.path) {
      requestLevel = true;
      const code = error.originalError instanceof GatewayError ? error.originalError.code : fastifyStatus === 429 ? 'RATE_LIMITED' : 'BAD_USER_INPUT';
      const failure = runtimeFailure(error);
      if (failure) {
        logger.warn({ err: failure, correlationId }, 'request refused: a runtime error while reading it');
        const message = /call stack/i.test(failure.message)
          ? 'The query is nested too deeply to be read.'
          : 'The request could not be read as a GraphQL request.';
        return { message, ...base, extensions: { code: 'BAD_USER_INPUT' } };
      }
      // Coercion messages may embed a scalar's error; they never carry stacks or internals.
      return { message: error.message, ...base, extensions: { code } };
    }
    const mapped = resolverError(error.originalError ?? error, logger, { path: error.path.join('.'), correlationId });
    return { message: mapped.message, ...base, extensions: { code: mapped.code, ...mapped.details } };
  });
  const statusCode = execution.data
    ? 200
    : typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500
      ? fastifyStatus
      : requestLevel
        ? 400
        : 200;
  return { statusCode, response: { data: execution.data ?? null, errors } };
}
