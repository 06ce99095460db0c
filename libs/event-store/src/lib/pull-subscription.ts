import type { Position, RecordedEvent, Subscription } from './event-store.port.js';

export interface PullSource {
  /** Exclusive start position. */
  after: Position;
  /** The next events strictly after `after`, in log order; empty when caught up. */
  readBatch(after: Position): Promise<RecordedEvent[]>;
  accept(event: RecordedEvent): boolean;
  /** Resolves when events after `after` may exist, or when `signal` aborts. */
  waitForMore(after: Position, signal: AbortSignal): Promise<void>;
  /** True once the store is closed: the subscription then ends. */
  isClosed(): boolean;
}

/**
 * Catch-up and live delivery as one loop over the log: read the next batch after the last
 * position seen, and when there is none, wait for an append. Because live events are read
 * from the log by position, exactly like catch-up, there is no switch-over where an event
 * could be missed or delivered twice. The consumer pulls, so nothing is buffered beyond one
 * batch however slow it is.
 */
export function pullSubscription(source: PullSource): Subscription {
  const controller = new AbortController();
  async function* run(): AsyncGenerator<RecordedEvent> {
    let after = source.after;
    while (!controller.signal.aborted && !source.isClosed()) {
      const batch = await source.readBatch(after);
      if (batch.length === 0) {
        await source.waitForMore(after, controller.signal);
        continue;
      }
      for (const event of batch) {
        after = event.position;
        if (!source.accept(event)) continue;
        yield event;
        if (controller.signal.aborted) return;
      }
    }
  }
  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      controller.abort();
      await iterator.return(undefined);
    },
  };
}
