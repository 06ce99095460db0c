import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** The graphql-ws endpoint of a server whose HTTP GraphQL URL is given. */
export const wsUrl = (graphqlUrl: string): string => graphqlUrl.replace(/^http/, 'ws');

/** A graphql-ws client (the `graphql-transport-ws` protocol) with the token in `connection_init`. */
export function wsClient(graphqlUrl: string, token: string | null): Client {
  return createClient({
    url: wsUrl(graphqlUrl),
    webSocketImpl: WebSocket,
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
}

export interface WsError {
  message: string;
  extensions?: { code?: string } & Record<string, unknown>;
}

/** One subscription's stream as a queue: take results in order, see how it ended. */
export interface LiveSubscription<T> {
  /** The next `n` results (waits up to `timeoutMs`, then rejects with what arrived). */
  take(n: number, timeoutMs?: number): Promise<T[]>;
  /** The refusal / failure (GraphQL errors) or the close event, once the subscription ended. */
  ended: Promise<{ errors: WsError[] } | { closed: unknown } | { complete: true }>;
  unsubscribe(): void;
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown> = {}): LiveSubscription<T> {
  const received: T[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => waiters.forEach((w) => w());
  let end!: (value: { errors: WsError[] } | { closed: unknown } | { complete: true }) => void;
  const ended = new Promise<{ errors: WsError[] } | { closed: unknown } | { complete: true }>((resolve) => (end = resolve));
  let finished = false;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result: FormattedExecutionResult<T>) => {
        if (result.errors?.length) {
          finished = true;
          end({ errors: result.errors as WsError[] });
        } else if (result.data) received.push(result.data as T);
        wake();
      },
      error: (error: unknown) => {
        finished = true;
        end(Array.isArray(error) ? { errors: error as WsError[] } : { closed: error });
        wake();
      },
      complete: () => {
        finished = true;
        end({ complete: true });
        wake();
      },
    },
  );
  let taken = 0;
  return {
    ended,
    unsubscribe,
    take(n, timeoutMs = 10_000) {
      return new Promise<T[]>((resolve, reject) => {
        const check = (): void => {
          if (received.length - taken >= n) {
            done();
            const out = received.slice(taken, taken + n);
            taken += n;
            resolve(out);
          } else if (finished) {
            done();
            void ended.then((how) => reject(new Error(`subscription ended after ${received.length - taken} of ${n} results: ${JSON.stringify(how)}`)));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${received.length - taken} of ${n} results: ${JSON.stringify(received.slice(taken))}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
