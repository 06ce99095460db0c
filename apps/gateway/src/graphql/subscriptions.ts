import { authenticate, type GatewayContext } from '../auth/auth.js';

/** What a graphql-ws client sends in `connection_init` (its `connectionParams`). */
interface ConnectionInitPayload {
  authorization?: unknown;
  'x-correlation-id'?: unknown;
}

/**
 * Mercurius `subscription` options: WebSocket at the GraphQL path, graphql-transport-ws (the
 * graphql-ws library's protocol; the legacy subscriptions-transport-ws one is also answered).
 * The bearer token comes in the `connection_init` payload (`{ authorization: 'Bearer …' }`)
 * and is verified with the same code as HTTP requests. The connection is accepted either way
 * and the actor (or why there is none) becomes the context of its subscriptions, so the one
 * guard refuses each subscription with UNAUTHENTICATED / FORBIDDEN and a message, exactly as
 * it refuses queries.
 */
export function subscriptionOptions(jwtSecret: Uint8Array): {
  onConnect: (data: { payload: unknown }) => Promise<GatewayContext>;
  keepAlive: number;
} {
  return {
    onConnect: async ({ payload }) => {
      const init = (typeof payload === 'object' && payload !== null ? payload : {}) as ConnectionInitPayload;
      const header = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
      return authenticate(jwtSecret, { authorization: header(init.authorization), 'x-correlation-id': header(init['x-correlation-id']) });
    },
    keepAlive: 30_000,
  };
}
