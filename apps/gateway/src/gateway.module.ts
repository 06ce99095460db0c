import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import { Kind, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLError, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Runtime } from '@tracedesk/application';
import { authenticateRequest, RolesGuard, type GatewayContext } from './auth/auth.js';
import { formatErrors, GatewayError } from './errors.js';
import { CommandMetricsInterceptor, GatewayMetrics } from './operations.js';
import type { GatewayConfig } from './gateway-config.js';
import { HistoryResolver } from './graphql/history.resolver.js';
import { OrganizationResolver } from './graphql/organization.resolver.js';
import { QueryCost } from './graphql/query-cost.js';
import { ReadModelResolver } from './graphql/read-model.resolver.js';
import { subscriptionOptions } from './graphql/subscriptions.js';
import { SubscriptionsResolver } from './graphql/subscriptions.resolver.js';
import { TicketResolver } from './graphql/ticket.resolver.js';
import { EVENT_STORE, GATEWAY_CONFIG, READ_MODEL_STORE, RUNTIME } from './graphql/tokens.js';

export interface GatewayModuleOptions {
  runtime: Runtime;
  config: GatewayConfig;
  jwtSecret: Uint8Array;
  metrics: GatewayMetrics;
}

/**
 * Two things an HTTP request may not do (hostile-input test): run a subscription (its resolver
 * returns a stream, which a query executor cannot send: an internal error before), and run
 * more than `maxMutations` mutation fields at once (aliases made one request thousands of
 * writes, past the per-request rate limit and the cost limit, which counts a write as a field).
 */
function refuseOverHttp(document: DocumentNode, maxMutations: number): void {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.some((o) => o.operation === 'subscription')) {
    throw new GatewayError('BAD_USER_INPUT', 'Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP.');
  }
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const count = (set: SelectionSetNode, seen: Set<string>): number =>
    set.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + 1;
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return sum;
      return sum + count(fragment.selectionSet, new Set([...seen, fragment.name.value]));
    }, 0);
  for (const operation of operations) {
    if (operation.operation !== 'mutation') continue;
    const fields = count(operation.selectionSet, new Set());
    if (fields > maxMutations) {
      throw new GatewayError('BAD_USER_INPUT', `The request runs ${fields} mutations, more than the limit of ${maxMutations}; send them in separate requests.`);
    }
  }
}

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const JSON_VALUE_START = new Set(['{', '[', '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 't', 'f', 'n']);

/**
 * Does the text parse as JSON? GraphQL text is told apart by its first characters — it starts
 * with an operation keyword or `{` + a name, where JSON has a value or `{` + `"` / `}` — so the
 * parse (a thrown SyntaxError on every request, ~2% of the server's CPU) runs only when in doubt.
 */
function isJsonText(source: string): boolean {
  let at = 0;
  while (JSON_WHITESPACE.has(source[at] ?? '')) at++;
  const first = source[at];
  if (first === undefined || !JSON_VALUE_START.has(first)) return false;
  if (first === '{') {
    at++;
    while (JSON_WHITESPACE.has(source[at] ?? '')) at++;
    if (source[at] !== '"' && source[at] !== '}') return false;
  }
  try {
    JSON.parse(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * The GraphQL edge: Mercurius on Fastify, code-first schema, one authorisation guard, one
 * error formatter. It holds no state of its own: the command / query buses, stores and runner
 * are the runtime's (one process can run the gateway and the projections together, or not).
 */
@Module({})
export class GatewayModule {
  static forRoot({ runtime, config, jwtSecret, metrics }: GatewayModuleOptions): DynamicModule {
    const queryCost = new QueryCost();
    return {
      module: GatewayModule,
      imports: [
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          autoSchemaFile: true,
          sortSchema: true,
          path: '/graphql',
          graphiql: config.graphiql,
          queryDepth: config.queryDepth,
          // Compile a query to JavaScript after its first run: repeated operations skip the
          // generic graphql-js executor.
          jit: 1,
          subscription: subscriptionOptions(jwtSecret),
          hooks: {
            // Mercurius treats a `query` that fails to parse as GraphQL but parses as JSON as a
            // ready-made document AST, skipping the parser's checks: a hand-made AST then reached
            // validation and the resolvers malformed (TypeError messages sent back, an IntValue
            // "abc" arriving as NaN). No JSON text is a GraphQL document (hostile-input test), so
            // refusing JSON here refuses exactly that path and nothing a client may send.
            preParsing: (_schema, source) => {
              if (isJsonText(source)) throw new GatewayError('BAD_USER_INPUT', 'query must be a GraphQL document as text (a JSON document AST is not accepted).');
            },
            // Cost depends on variables (`first`), so it is checked per request (remembered per
            // document and page size: QueryCost); a hook (not a validation rule function) keeps
            // Mercurius's parse / validation cache.
            preExecution: (schema, document, _context, variables) => {
              // Only operations that reach here are HTTP ones (WebSocket subscriptions have their own path).
              refuseOverHttp(document, config.maxMutationsPerRequest);
              const cost = queryCost.of(schema, document, variables as Record<string, unknown> | undefined);
              if (cost > config.queryComplexity) {
                throw new GatewayError('BAD_USER_INPUT', `The query costs ${cost}, more than the limit of ${config.queryComplexity}; ask for fewer fields or smaller pages.`);
              }
            },
          },
          context: (request: FastifyRequest): Promise<GatewayContext> => authenticateRequest(jwtSecret, request),
          errorFormatter: (execution, context) =>
            formatErrors(
              execution as ExecutionResult & { errors: readonly GraphQLError[] },
              runtime.logger,
              (context as unknown as Partial<GatewayContext>).correlationId,
            ),
        }),
      ],
      providers: [
        { provide: CommandBus, useValue: runtime.app.get(CommandBus) },
        { provide: QueryBus, useValue: runtime.app.get(QueryBus) },
        { provide: RUNTIME, useValue: runtime },
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: READ_MODEL_STORE, useValue: runtime.readModels },
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GatewayMetrics, useValue: metrics },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_INTERCEPTOR, useClass: CommandMetricsInterceptor },
        TicketResolver,
        ReadModelResolver,
        HistoryResolver,
        OrganizationResolver,
        SubscriptionsResolver,
      ],
    };
  }
}
