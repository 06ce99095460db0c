import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { ReadModelStore } from '@tracedesk/read-models';
import type { SlaMetric } from '@tracedesk/sla';
import { CLOCK, type Clock } from '../shared/clock.js';
import { READ_MODELS } from '../shared/tokens.js';
import type { CommandMeta } from '../shared/command-meta.js';
import { RecordSlaBreachCommand } from '../tickets/record-sla-breach/record-sla-breach.command.js';
import { RecordSlaAtRiskCommand } from '../tickets/record-sla-at-risk/record-sla-at-risk.command.js';

export interface WatcherTickResult {
  /** Clocks found due or at risk in the queue read model. */
  candidates: number;
  breaches: number;
  warnings: number;
  failures: number;
}

export const WATCHER_ACTOR = { id: 'sla-watcher', role: 'system' } as const;

/**
 * Finds running SLA clocks whose due time (or at-risk time) has passed, in the queue read model,
 * and sends the commands. It never decides anything: the ticket decider checks that the clock is
 * really running and due, so a late, early or repeated tick records nothing twice.
 */
@Injectable()
export class SlaDeadlineWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<WatcherTickResult> | null = null;

  constructor(
    @Inject(READ_MODELS) private readonly readModels: ReadModelStore,
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One pass: every clock due at the injected clock's "now", up to `limit` tickets. */
  tick(limit = 10_000, concurrency = 256): Promise<WatcherTickResult> {
    // Overlapping ticks would only send the same commands twice.
    this.running ??= this.pass(limit, concurrency).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(limit: number, concurrency: number): Promise<WatcherTickResult> {
    const now = this.clock.now().toISOString();
    const rows = await this.readModels.queue.dueForWatcher(now, limit);
    const work: Array<{ ticketId: string; metric: SlaMetric; kind: 'breach' | 'warn' }> = [];
    for (const row of rows) {
      for (const clock of row.clocks) {
        if (clock.status !== 'RUNNING') continue;
        if (clock.dueAt !== null && clock.dueAt <= now) work.push({ ticketId: row.ticketId, metric: clock.metric as SlaMetric, kind: 'breach' });
        else if (clock.warnAt !== null && clock.warnAt <= now) work.push({ ticketId: row.ticketId, metric: clock.metric as SlaMetric, kind: 'warn' });
      }
    }
    const result: WatcherTickResult = { candidates: work.length, breaches: 0, warnings: 0, failures: 0 };
    const meta: CommandMeta = { actor: WATCHER_ACTOR };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < work.length) {
        const item = work[next++]!;
        try {
          const input = { ticketId: item.ticketId, metric: item.metric };
          const outcome =
            item.kind === 'breach'
              ? await this.commands.execute(new RecordSlaBreachCommand(input, meta))
              : await this.commands.execute(new RecordSlaAtRiskCommand(input, meta));
          const clock = outcome.ticket.clocks[item.metric];
          if (item.kind === 'breach' && clock?.status === 'BREACHED' && clock.breachedAt === now) result.breaches++;
          if (item.kind === 'warn' && clock?.atRiskAt === now) result.warnings++;
        } catch {
          // One ticket's failure must not stop the others; the next tick tries again.
          result.failures++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
    return result;
  }

  /** Ticks on a real timer (the time it compares with still comes from the injected clock). */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
