import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { toApiError, type Runtime } from '@tracedesk/application';
import { GatewayError } from './errors.js';
import type { GatewayConfig } from './gateway-config.js';

/** Prometheus metrics of one gateway process (its own registry: several servers may share a process in tests). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly commands: Counter<'type' | 'outcome'>;
  readonly latency: Histogram<'type'>;
  readonly conflicts: Counter<'type'>;
  readonly responseCache: Counter<'result'>;

  constructor(runtime: Runtime) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.commands = new Counter({ name: 'tracedesk_commands_total', help: 'Commands (mutations) by type and outcome (ok or API error code)', labelNames: ['type', 'outcome'], registers });
    this.latency = new Histogram({
      name: 'tracedesk_command_duration_seconds',
      help: 'Command latency, resolver start to result',
      labelNames: ['type'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.conflicts = new Counter({ name: 'tracedesk_command_conflicts_total', help: 'Commands that failed with CONFLICT after their retries', labelNames: ['type'], registers });
    this.responseCache = new Counter({
      name: 'tracedesk_graphql_response_cache_total',
      help: 'Cacheable read-model queries (queue, slaBreaches) answered from the response cache (hit) or executed (miss)',
      labelNames: ['result'],
      registers,
    });
    new Gauge({
      name: 'tracedesk_projection_lag_events',
      help: 'Events in the log a projection has not applied yet',
      labelNames: ['projection'],
      registers,
      async collect() {
        for (const s of await runtime.runner.status()) this.set({ projection: s.name }, Number(s.lag));
      },
    });
    new Gauge({
      name: 'tracedesk_background_heap_used_bytes',
      help: "V8 heap in use on the background thread (projections, saga); nodejs_heap_* are the main thread's",
      registers,
      collect() {
        const used = runtime.backgroundHeapUsedBytes();
        if (used !== null) this.set(used);
      },
    });
    new Gauge({
      name: 'tracedesk_sla_breaches',
      help: 'SLA breaches recorded in the sla-breaches read model',
      registers,
      async collect() {
        this.set((await runtime.readModels.breaches.find({}, { first: 1 })).totalCount);
      },
    });
  }
}

/** Counts and times every mutation by its outcome. */
@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: GatewayMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<GqlContextType>() !== 'graphql') return next.handle();
    const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
    if (info.parentType.name !== 'Mutation') return next.handle();
    const type = info.fieldName;
    const stop = this.metrics.latency.startTimer({ type });
    return next.handle().pipe(
      tap(() => {
        stop();
        this.metrics.commands.inc({ type, outcome: 'ok' });
      }),
      catchError((error: unknown) => {
        stop();
        const outcome = error instanceof GatewayError ? error.code : toApiError(error).code;
        this.metrics.commands.inc({ type, outcome });
        if (outcome === 'CONFLICT') this.metrics.conflicts.inc({ type });
        return throwError(() => error);
      }),
    );
  }
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: { readModels: boolean; eventStore: boolean; projections: Array<{ name: string; lag: string; ok: boolean }> };
}

/** Readiness: both stores answer and every projection is within the lag limit. */
export async function readiness(runtime: Runtime, config: GatewayConfig): Promise<HealthReport> {
  const readModels = await runtime.readModels.ping().catch(() => false);
  let eventStore = true;
  let projections: HealthReport['checks']['projections'] = [];
  try {
    projections = (await runtime.runner.status()).map((s) => ({ name: s.name, lag: s.lag.toString(), ok: s.lag <= BigInt(config.maxProjectionLag) }));
  } catch {
    eventStore = false;
  }
  const ok = readModels && eventStore && projections.every((p) => p.ok);
  return { status: ok ? 'ok' : 'unavailable', checks: { readModels, eventStore, projections } };
}
