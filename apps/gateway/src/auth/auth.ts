import { randomUUID } from 'node:crypto';
import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Actor } from '@tracedesk/domain';
import type { CommandMeta } from '@tracedesk/application';
import { GatewayError } from '../errors.js';
import { AuthenticationError, bearerToken, verifyToken } from './jwt.js';
import { isAllowed } from './permissions.js';

/** What every resolver gets: who asks (checked once per request) and the request's correlation id. */
export interface GatewayContext {
  actor: Actor | null;
  /** Why `actor` is null, when a token was sent but refused. */
  authError: string | null;
  correlationId: string;
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export async function authenticate(secret: Uint8Array, headers: Record<string, string | string[] | undefined>): Promise<GatewayContext> {
  const sent = headers['x-correlation-id'];
  const correlationId = typeof sent === 'string' && CORRELATION_ID.test(sent) ? sent : randomUUID();
  const token = bearerToken(headers['authorization']);
  if (token === null) return { actor: null, authError: null, correlationId };
  if (token === '') return { actor: null, authError: 'The Authorization header must be "Bearer <token>".', correlationId };
  try {
    return { actor: await verifyToken(secret, token), authError: null, correlationId };
  } catch (error) {
    if (error instanceof AuthenticationError) return { actor: null, authError: error.message, correlationId };
    throw error;
  }
}

const authenticated = new WeakMap<object, Promise<GatewayContext>>();

/**
 * `authenticate` once per HTTP request: the rate limiter and the GraphQL context both need the
 * verified caller, and verifying a JWT is one of the costliest steps of a small request.
 */
export function authenticateRequest(secret: Uint8Array, request: { headers: Record<string, string | string[] | undefined> }): Promise<GatewayContext> {
  let context = authenticated.get(request);
  if (!context) {
    context = authenticate(secret, request.headers);
    authenticated.set(request, context);
  }
  return context;
}

/**
 * The one authorisation gate: every root field (query, mutation, subscription) needs a valid
 * token and a role the permission table allows for that field; unknown fields are refused.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<GqlContextType>() !== 'graphql') return true;
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const ctx = gql.getContext<GatewayContext>();
    if (!ctx.actor) {
      throw new GatewayError('UNAUTHENTICATED', ctx.authError ?? 'Sign in: send "Authorization: Bearer <token>" (npm run token -- --role agent --sub you).');
    }
    if (!isAllowed(info.fieldName, ctx.actor.role)) {
      throw new GatewayError('FORBIDDEN', `The ${ctx.actor.role} role may not use ${info.fieldName}.`);
    }
    return true;
  }
}

/** The authenticated actor (the guard has run, so it is present). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const ctx = GqlExecutionContext.create(context).getContext<GatewayContext>();
  if (!ctx.actor) throw new GatewayError('UNAUTHENTICATED', 'Sign in first.');
  return ctx.actor;
});

/** Actor and correlation id: the metadata of every command. */
export const Meta = createParamDecorator((_data: unknown, context: ExecutionContext): CommandMeta => {
  const ctx = GqlExecutionContext.create(context).getContext<GatewayContext>();
  if (!ctx.actor) throw new GatewayError('UNAUTHENTICATED', 'Sign in first.');
  return { actor: ctx.actor, correlationId: ctx.correlationId };
});
