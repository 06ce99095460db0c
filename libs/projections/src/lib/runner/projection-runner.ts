import type { EventStore, Position, RecordedEvent, Subscription } from '@tracedesk/event-store';
import type { ProjectionName, ReadModelStore } from '@tracedesk/read-models';
import type { Projection } from '../projection.js';

export interface RunnerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ProjectionRunnerOptions {
  /** Most events applied and committed together (with the checkpoint). */
  batchSize?: number;
  /** Pause before following again after a failed batch. */
  retryDelayMs?: number;
  /**
   * Live, while events keep arriving right after each batch (a burst), how long a batch may
   * keep collecting before it is applied (default 100 ms). A quiet log's events are applied
   * at once; 0 applies every batch at once.
   */
  coalesceMs?: number;
  logger?: RunnerLogger;
}

export interface ProjectionStatus {
  name: ProjectionName;
  generation: number;
  checkpoint: Position;
  head: Position;
  /** Head position minus checkpoint: events behind on SQLite, log bytes on EventStoreDB. */
  lag: bigint;
}

interface CatchUpTarget {
  projection: Projection;
  generation: number;
  /** Position of the last event applied. */
  after: Position;
}

const NOT_READY = Symbol('not ready');
const nextTurn = (): Promise<typeof NOT_READY> => new Promise((resolve) => setImmediate(() => resolve(NOT_READY)));
const delay = (ms: number): Promise<typeof NOT_READY> => new Promise((resolve) => setTimeout(() => resolve(NOT_READY), ms));
const silent: RunnerLogger = { info: () => undefined, error: () => undefined };

/**
 * Runs projections, each independently from its own checkpoint: catch up from the global log,
 * then follow it live. Each batch's row changes and its checkpoint commit in one read-model
 * transaction, so a crash anywhere leaves every read model equal to a clean rebuild up to its
 * checkpoint. At start the projections catch up together (each page of the log read once for
 * all of them, each still in its own transactions); then each follows the log on its own. A
 * batch is whatever is available now, up to `batchSize`: full batches while catching up, small
 * ones (low latency) when live, larger ones again during a burst of appends (`coalesceMs`).
 */
export class ProjectionRunner {
  private readonly progress = new Map<ProjectionName, { generation: number; checkpoint: Position }>();
  private readonly listeners = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  private started = false;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly coalesceMs: number;
  private readonly logger: RunnerLogger;

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly projections: readonly Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = Math.min(options.batchSize ?? 2000, 10_000);
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.coalesceMs = Math.max(0, options.coalesceMs ?? 100);
    this.logger = options.logger ?? silent;
  }

  /** Starts every projection; resolves once each knows its checkpoint. */
  async start(): Promise<void> {
    this.started = true;
    await this.readModels.init();
    const targets: CatchUpTarget[] = [];
    for (const projection of this.projections) {
      const generation = await this.readModels.activeGeneration(projection.name);
      const checkpoint = await this.readModels.checkpoint(projection.name, generation);
      this.setProgress(projection.name, generation, checkpoint);
      targets.push({ projection, generation, after: checkpoint });
    }
    this.loops.push(this.runAll(targets));
  }

  /** Finishes the batch in flight, then stops following. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await Promise.all(this.loops);
    this.notify();
  }

  /** Catches every projection up together, then follows the log with each on its own. */
  private async runAll(targets: CatchUpTarget[]): Promise<void> {
    if (targets.length > 1) await this.catchUpTogether(targets);
    if (this.stopped) return;
    await Promise.all(this.projections.map((projection) => this.run(projection)));
  }

  /**
   * Catch-up: each page of the log is read (and parsed) once and applied to every projection
   * still behind its end, each in its own batch transaction with its own checkpoint, so each
   * read model still commits alone and stays independent. Reading the log once instead of once
   * per projection is most of a catch-up's time saved. Starts from the lowest checkpoint; a
   * projection further on gets only the events after its own. A projection whose batch fails,
   * or whose generation a rebuild switched, drops out here and is caught up by its own loop
   * from its checkpoint afterwards, as any projection then follows the log on its own.
   */
  private async catchUpTogether(targets: CatchUpTarget[]): Promise<void> {
    let behind = targets;
    while (!this.stopped && behind.length > 0) {
      const from = behind.reduce((min, t) => (t.after < min ? t.after : min), behind[0]!.after);
      let page: RecordedEvent[];
      try {
        page = await this.store.readAll({ after: from, maxCount: this.batchSize });
      } catch (error) {
        this.logFailure('catch-up read failed; each projection follows again from its checkpoint', error);
        return;
      }
      if (page.length === 0) return;
      const still: CatchUpTarget[] = [];
      for (const target of behind) {
        if (this.stopped) return;
        const events = target.after === from ? page : page.filter((e) => e.position > target.after);
        if (events.length === 0) {
          still.push(target);
          continue;
        }
        try {
          if (!(await this.apply(target.projection, target.generation, events))) continue;
        } catch (error) {
          if (this.stopped) return;
          this.logFailure('projection batch failed; following again from its checkpoint', error, target.projection);
          continue;
        }
        target.after = events[events.length - 1]!.position;
        still.push(target);
      }
      behind = still;
      if (page.length < this.batchSize) return;
      // Let the rest of the process (the gateway, the watcher) run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private logFailure(message: string, error: unknown, projection?: Projection): void {
    this.logger.error(message, {
      ...(projection && { projection: projection.name }),
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private async run(projection: Projection): Promise<void> {
    while (!this.stopped) {
      try {
        const generation = await this.readModels.activeGeneration(projection.name);
        const checkpoint = await this.readModels.checkpoint(projection.name, generation);
        this.setProgress(projection.name, generation, checkpoint);
        await this.follow(projection, generation, checkpoint);
      } catch (error) {
        if (this.stopped) return;
        this.logFailure('projection batch failed; following again from its checkpoint', error, projection);
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      }
    }
  }

  /** Follows the log for one generation; returns when stopped or when a rebuild switched generations. */
  private async follow(projection: Projection, generation: number, from: Position): Promise<void> {
    // Catching up: whole pages straight from the log, without per-event iteration.
    let after = from;
    while (!this.stopped) {
      const batch = await this.store.readAll({ after, maxCount: this.batchSize });
      if (batch.length === 0) break;
      if (!(await this.apply(projection, generation, batch))) return;
      after = batch[batch.length - 1]!.position;
      if (batch.length < this.batchSize) break;
      // Let the rest of the process (the gateway, the watcher) run between pages.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Live: the subscription wakes on new appends; a batch is whatever is available now.
    const subscription = this.store.subscribeToAll({ after, batchSize: this.batchSize });
    this.subscriptions.add(subscription);
    const events = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<RecordedEvent>> | null = null;
    let lastApplied = 0;
    try {
      while (!this.stopped) {
        const first = await (pending ?? events.next());
        pending = null;
        if (first.done) return;
        const batch: RecordedEvent[] = [first.value];
        const started = Date.now();
        // Events arriving right after the last batch: the log is busy (a burst of commands).
        const busy = started - lastApplied < this.coalesceMs;
        while (batch.length < this.batchSize) {
          const next = events.next();
          let ready = await Promise.race([next, nextTurn()]);
          if (ready === NOT_READY) {
            // Nothing more this turn. When the log is quiet, apply now (lowest latency); in a
            // burst, keep collecting for up to `coalesceMs`: fewer, larger batches cost much
            // less per event (one transaction, each index page written once), which leaves
            // the process's time to the writes that cause the burst.
            const wait = busy ? this.coalesceMs - (Date.now() - started) : 0;
            ready = wait > 0 ? await Promise.race([next, delay(wait)]) : NOT_READY;
            if (ready === NOT_READY) {
              pending = next;
              break;
            }
          }
          if (ready.done) break;
          batch.push(ready.value);
        }
        if (!(await this.apply(projection, generation, batch))) return;
        lastApplied = Date.now();
      }
    } finally {
      this.subscriptions.delete(subscription);
      await subscription.close();
    }
  }

  /** Commits one batch with its checkpoint; false when a rebuild has switched generations. */
  private async apply(projection: Projection, generation: number, batch: readonly RecordedEvent[]): Promise<boolean> {
    if ((await this.readModels.activeGeneration(projection.name)) !== generation) return false;
    const last = batch[batch.length - 1]!.position;
    await this.readModels.runBatch(projection.name, generation, async (tx) => {
      await projection.applyBatch(batch, tx);
      return last;
    });
    this.setProgress(projection.name, generation, last);
    return true;
  }

  private setProgress(name: ProjectionName, generation: number, checkpoint: Position): void {
    this.progress.set(name, { generation, checkpoint });
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** The lowest checkpoint among `names` (all projections by default). */
  reached(names: readonly ProjectionName[] = this.projections.map((p) => p.name)): Position {
    let min: Position | null = null;
    for (const name of names) {
      const checkpoint = this.progress.get(name)?.checkpoint ?? 0n;
      if (min === null || checkpoint < min) min = checkpoint;
    }
    return min ?? 0n;
  }

  /**
   * Read your writes: resolves `true` once the projections have applied the log up to
   * `position`, or `false` after `timeoutMs`.
   */
  waitFor(position: Position, timeoutMs: number, names?: readonly ProjectionName[]): Promise<boolean> {
    // Projections running in another process (a worker): watch their stored checkpoints.
    if (!this.started) return this.pollFor(position, timeoutMs, names ?? this.projections.map((p) => p.name));
    if (this.reached(names) >= position) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (result: boolean): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (this.reached(names) >= position) done(true);
        else if (this.stopped) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.listeners.add(check);
    });
  }

  private async pollFor(position: Position, timeoutMs: number, names: readonly ProjectionName[]): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.refreshFromStore(names);
      if (this.reached(names) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(25, Math.max(1, deadline - Date.now()))));
    }
  }

  private async refreshFromStore(names: readonly ProjectionName[]): Promise<void> {
    for (const name of names) {
      const generation = await this.readModels.activeGeneration(name);
      this.progress.set(name, { generation, checkpoint: await this.readModels.checkpoint(name, generation) });
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    if (!this.started) await this.refreshFromStore(this.projections.map((p) => p.name));
    const head = await this.store.headPosition();
    return this.projections.map((p) => {
      const { generation, checkpoint } = this.progress.get(p.name) ?? { generation: 1, checkpoint: 0n };
      return { name: p.name, generation, checkpoint, head, lag: head > checkpoint ? head - checkpoint : 0n };
    });
  }
}
