import { describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendResult as EsdbAppendResult,
  type EventData,
  type Filter,
  type ReadPosition,
} from '@eventstore/db-client';
import { PassThrough, Readable, type ReadableOptions } from 'node:stream';
import { describeEventStoreContract } from '../event-store.contract.js';
import {
  EventStoreUnavailableError,
  EventStoreValidationError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../event-store.errors.js';
import type { EventStore, RecordedEvent, Subscription } from '../event-store.port.js';
import { EsdbEventStore, type EsdbClient } from './esdb-event-store.js';

const EVENT_STORE_URL = process.env['EVENT_STORE_URL']?.trim();

if (EVENT_STORE_URL) {
  const url = EVENT_STORE_URL;
  describeEventStoreContract('EventStoreDB', async () => {
    let store: EventStore = EsdbEventStore.fromConnectionString(url);
    return {
      get store() {
        return store;
      },
      // A process restart: dispose the client, connect a new one to the same server.
      async reopen() {
        await store.close();
        store = EsdbEventStore.fromConnectionString(url);
        return store;
      },
      async dispose() {
        await store.close();
      },
    };
  });
} else {
  console.log(
    'EventStoreDB contract suite SKIPPED: EVENT_STORE_URL is not set (see README, docker/docker-compose.yml)',
  );
  describe('EventStore contract: EventStoreDB', () => {
    // Not run here: the contract suite needs a running EventStoreDB (EVENT_STORE_URL; docker/README.md),
    // and this machine has none. A todo entry (no body) is how that shows in jest's --json results:
    // .ci/run counts it under "skipped" and lists it, never under "passed".
    it.todo('EventStoreDB contract suite: not run, EVENT_STORE_URL is not set (no EventStoreDB server here)');
  });
}

// ---------------------------------------------------------------------------------------------
// Adapter logic against a scripted fake client: paging, system events, error mapping, and the
// subscription's reconnect loop, none of which needs a server (or a way to restart one).
// ---------------------------------------------------------------------------------------------

const SYSTEM_STREAM = '$stats-127.0.0.1:2113';

function resolved(position: bigint, streamId = 'ticket-1', type = 'E', data: Record<string, unknown> = {}): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
      revision: position,
      type,
      created: new Date(0),
      isJson: true,
      data,
      metadata: {},
      position: { commit: position, prepare: position },
    },
    commitPosition: position,
  };
}

class FakeSubscription extends PassThrough {
  unsubscribed = false;
  constructor(readonly fromPosition: ReadPosition | undefined, options: ReadableOptions) {
    super({ ...options, objectMode: true });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

interface SubscribeCall {
  fromPosition: ReadPosition | undefined;
  filter: Filter | undefined;
  readableOptions: ReadableOptions;
  source: FakeSubscription;
}

/** A fake of the client methods the adapter uses; `$all` is an in-memory array of records. */
class FakeClient {
  log: AllStreamResolvedEvent[] = [];
  subscribeCalls: SubscribeCall[] = [];
  appendCalls: Array<{ streamName: string; events: EventData[]; expectedRevision: unknown }> = [];
  readAllCalls = 0;
  disposed = false;
  onSubscribe: (call: SubscribeCall, index: number) => void = () => undefined;
  appendResult: () => Promise<EsdbAppendResult> = async () => ({
    success: true,
    nextExpectedRevision: 0n,
    position: { commit: 10n, prepare: 10n },
  });
  readStreamError: Error | undefined;

  async appendToStream(streamName: string, events: EventData | EventData[], options: { expectedRevision?: unknown } = {}) {
    this.appendCalls.push({ streamName, events: Array.isArray(events) ? events : [events], expectedRevision: options.expectedRevision });
    return this.appendResult();
  }

  readAll(options: { fromPosition?: ReadPosition; direction?: string; maxCount?: number | bigint } = {}): Readable {
    this.readAllCalls += 1;
    const from = options.fromPosition ?? 'start';
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const pos = (e: AllStreamResolvedEvent): bigint => e.event!.position.commit;
    let page: AllStreamResolvedEvent[];
    if (options.direction === 'backwards') {
      // Backwards reads from an event's position exclude that event (as on the server).
      page = [...this.log].reverse().filter((e) => from === 'end' || (typeof from === 'object' && pos(e) < from.commit));
    } else {
      // Forward reads are inclusive of the start position (as on the server).
      page = this.log.filter((e) => from === 'start' || (typeof from === 'object' && pos(e) >= from.commit));
    }
    return Readable.from(page.slice(0, max));
  }

  readStream(): Readable {
    const error = this.readStreamError;
    return new Readable({
      objectMode: true,
      read() {
        if (error) this.destroy(error);
        else this.push(null);
      },
    });
  }

  subscribeToAll(options: { fromPosition?: ReadPosition; filter?: Filter } = {}, readableOptions: ReadableOptions = {}) {
    const source = new FakeSubscription(options.fromPosition, readableOptions);
    const call = { fromPosition: options.fromPosition, filter: options.filter, readableOptions, source };
    this.subscribeCalls.push(call);
    this.onSubscribe(call, this.subscribeCalls.length - 1);
    return source;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}

function storeWith(fake: FakeClient, options: ConstructorParameters<typeof EsdbEventStore>[1] = {}): EsdbEventStore {
  // The fake implements only what the adapter calls; the client's generic signatures are not
  // worth reproducing in a test double.
  return new EsdbEventStore(fake as unknown as EsdbClient, { reconnect: { initialDelayMs: 1, maxDelayMs: 5 }, ...options });
}

async function take(subscription: Subscription, count: number, timeoutMs = 5000): Promise<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const out: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 0));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`got ${out.length} of ${count} events`);
    if (next.done) throw new Error(`ended after ${out.length} of ${count} events`);
    out.push(next.value);
  }
  return out;
}

const later = (fn: () => void, ms = 10): void => {
  setTimeout(fn, ms);
};

describe('EsdbEventStore subscription (fake client, no server)', () => {
  it('resubscribes after UNAVAILABLE and after an unexpected end, from the last position, without duplicates or gaps', async () => {
    const fake = new FakeClient();
    fake.onSubscribe = ({ source }, index) => {
      if (index === 0) {
        for (const p of [100n, 200n]) source.write(resolved(p));
        source.write(resolved(250n, SYSTEM_STREAM, '$statsCollected'));
        source.write(resolved(300n));
        later(() => source.emit('error', new UnavailableError()));
      } else if (index === 1) {
        // The server may include the start position: 300 comes again and must be dropped.
        for (const p of [300n, 400n, 500n, 600n]) source.write(resolved(p));
        later(() => source.end());
      } else {
        for (const p of [700n, 800n, 900n, 1000n]) source.write(resolved(p));
      }
    };
    const retries: Array<{ after: bigint; error: unknown }> = [];
    const store = storeWith(fake, { onResubscribe: ({ after, error }) => retries.push({ after, error }) });
    const subscription = store.subscribeToAll();
    const events = await take(subscription, 9);
    // The system event at 250 is skipped; 300 is delivered once although sent twice.
    expect(events.map((e) => e.position)).toEqual([100n, 200n, 300n, 400n, 500n, 600n, 700n, 800n, 900n]);
    expect(fake.subscribeCalls.map((c) => c.fromPosition)).toEqual([
      'start',
      { commit: 300n, prepare: 300n },
      { commit: 600n, prepare: 600n },
    ]);
    expect(retries.map((r) => r.after)).toEqual([300n, 600n]);
    expect(retries[0]!.error).toBeInstanceOf(UnavailableError);
    await subscription.close();
    expect(fake.subscribeCalls.every((c) => c.source.unsubscribed && c.source.destroyed)).toBe(true);
    await store.close();
  });

  it('resumes a checkpointed subscription strictly after the checkpoint', async () => {
    const fake = new FakeClient();
    fake.onSubscribe = ({ source }) => {
      for (const p of [500n, 600n]) source.write(resolved(p));
    };
    const store = storeWith(fake);
    const subscription = store.subscribeToAll({ after: 500n });
    expect((await take(subscription, 1)).map((e) => e.position)).toEqual([600n]);
    expect(fake.subscribeCalls[0]!.fromPosition).toEqual({ commit: 500n, prepare: 500n });
    await subscription.close();
    await store.close();
  });

  it('surfaces a non-transient error to the consumer instead of retrying', async () => {
    const fake = new FakeClient();
    fake.onSubscribe = ({ source }) => later(() => source.emit('error', new AccessDeniedError()));
    const store = storeWith(fake);
    const subscription = store.subscribeToAll();
    await expect(subscription[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(AccessDeniedError);
    expect(fake.subscribeCalls).toHaveLength(1);
    await store.close();
  });

  it('filters server-side where it can and client-side always; bounds the buffer by batchSize', async () => {
    const fake = new FakeClient();
    fake.onSubscribe = ({ source }) => {
      // The fake ignores the server filter, so the client-side filter must do the work.
      source.write(resolved(1n, 'other-1', 'Wanted'));
      source.write(resolved(2n, 'ticket-1', 'Other'));
      source.write(resolved(3n, 'ticket-1', '$>'));
      source.write(resolved(4n, 'ticket-1', 'Wanted', { n: 1 }));
    };
    const store = storeWith(fake);
    const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['ticket-'], eventTypes: ['Wanted'] }, batchSize: 16 });
    expect((await take(subscription, 1)).map((e) => e.data)).toEqual([{ n: 1 }]);
    const call = fake.subscribeCalls[0]!;
    expect(call.filter).toMatchObject({ filterOn: 'streamName', prefixes: ['ticket-'] });
    expect(call.readableOptions.highWaterMark).toBe(16);
    // Backpressure: with nobody reading, the source stops accepting writes after ~2 × 16.
    let accepted = 0;
    while (call.source.write(resolved(100n + BigInt(accepted), 'ticket-1', 'Wanted')) && accepted < 1000) accepted++;
    expect(accepted).toBeLessThan(40);
    await subscription.close();
    await store.close();
  });

  it('close() ends a waiting iteration, also while it backs off before reconnecting', async () => {
    const fake = new FakeClient();
    const store = storeWith(fake, { reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    const live = store.subscribeToAll();
    const waiting = live[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await live.close();
    expect((await waiting).done).toBe(true);

    fake.onSubscribe = ({ source }) => later(() => source.emit('error', new UnavailableError()), 1);
    const backingOff = store.subscribeToAll();
    const pending = backingOff[Symbol.asyncIterator]().next();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = Date.now();
    await backingOff.close();
    expect((await pending).done).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
    await store.close();
  });
});

describe('EsdbEventStore reads and appends (fake client, no server)', () => {
  function fakeWithLog(): FakeClient {
    const fake = new FakeClient();
    for (let p = 10n; p <= 100n; p += 10n) fake.log.push(resolved(p, SYSTEM_STREAM, '$statsCollected'));
    for (const p of [110n, 120n, 130n]) fake.log.push(resolved(p, 'ticket-1'));
    for (const p of [140n, 150n]) fake.log.push(resolved(p, '$$ticket-1', '$metadata'));
    return fake;
  }

  it('readAll pages past system events, is exclusive of `after`, and ends only at the end of the log', async () => {
    const fake = fakeWithLog();
    const store = storeWith(fake, { readPageSize: 4 });
    expect((await store.readAll({ maxCount: 2 })).map((e) => e.position)).toEqual([110n, 120n]);
    expect((await store.readAll({ after: 120n, maxCount: 2 })).map((e) => e.position)).toEqual([130n]);
    expect(await store.readAll({ after: 130n })).toEqual([]);
    await store.close();
  });

  it('headPosition skips trailing system events, and is START for a log of system events only', async () => {
    const fake = fakeWithLog();
    const store = storeWith(fake, { readPageSize: 1 });
    expect(await store.headPosition()).toBe(130n);
    fake.log = fake.log.filter((e) => e.event!.streamId.startsWith('$'));
    expect(await store.headPosition()).toBe(0n);
    await store.close();
  });

  it('validates before any network call', async () => {
    const fake = new FakeClient();
    const store = storeWith(fake);
    await expect(store.append('$all', [{ type: 'A', data: {} }], 'any')).rejects.toBeInstanceOf(EventStoreValidationError);
    await expect(store.append('s', [{ type: 'A', data: { n: Number.NaN } }], 'any')).rejects.toBeInstanceOf(EventStoreValidationError);
    await expect(store.readAll({ after: -1n })).rejects.toBeInstanceOf(EventStoreValidationError);
    expect(() => store.subscribeToAll({ batchSize: 0 })).toThrow(EventStoreValidationError);
    expect(fake.appendCalls).toHaveLength(0);
    expect(fake.readAllCalls).toBe(0);
    await store.close();
  });

  it('appends JSON events with our ids and the mapped expected revision, and maps the result', async () => {
    const fake = new FakeClient();
    fake.appendResult = async () => ({ success: true, nextExpectedRevision: 4n, position: { commit: 777n, prepare: 777n } });
    const store = storeWith(fake);
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const result = await store.append('ticket-9', [{ id, type: 'A', data: { a: 1 }, metadata: { m: true } }, { type: 'B', data: {} }], 3);
    expect(result).toEqual({ nextExpectedRevision: 4, position: 777n });
    const call = fake.appendCalls[0]!;
    expect(call.expectedRevision).toBe(3n);
    expect(call.events[0]).toMatchObject({ id, type: 'A', contentType: 'application/json', data: { a: 1 }, metadata: { m: true } });
    expect(call.events[1]).toMatchObject({ type: 'B', metadata: {} });
    await store.close();
  });

  it('maps a wrong-expected-version error with the actual revision, and unavailability', async () => {
    const fake = new FakeClient();
    fake.appendResult = async () => {
      throw new EsdbWrongExpectedVersionError(undefined, { streamName: 'ticket-9', expected: 'no_stream', current: 0n });
    };
    const store = storeWith(fake);
    const error = await store.append('ticket-9', [{ type: 'A', data: {} }], 'no_stream').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamId: 'ticket-9', expected: 'no_stream', actual: 0 });
    fake.appendResult = async () => {
      throw new UnavailableError();
    };
    await expect(store.append('ticket-9', [{ type: 'A', data: {} }], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await store.close();
  });

  it('maps a missing stream to StreamNotFoundError, and to a null head', async () => {
    const fake = new FakeClient();
    fake.readStreamError = new EsdbStreamNotFoundError(undefined, 'ticket-404');
    const store = storeWith(fake);
    await expect(store.readStream('ticket-404')).rejects.toBeInstanceOf(StreamNotFoundError);
    expect(await store.streamHead('ticket-404')).toBeNull();
    await store.close();
  });

  it('close() lets an append in flight finish before disposing the client', async () => {
    const fake = new FakeClient();
    let finish: () => void = () => undefined;
    fake.appendResult = () =>
      new Promise((resolve) => {
        finish = () => resolve({ success: true, nextExpectedRevision: 0n, position: { commit: 5n, prepare: 5n } });
      });
    const store = storeWith(fake);
    const appended = store.append('ticket-1', [{ type: 'A', data: {} }], 'no_stream');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = store.close();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fake.disposed).toBe(false);
    finish();
    await expect(appended).resolves.toEqual({ nextExpectedRevision: 0, position: 5n });
    await closed;
    expect(fake.disposed).toBe(true);
  });

  it('close() disposes the client and refuses further use', async () => {
    const fake = new FakeClient();
    const store = storeWith(fake);
    await store.close();
    expect(fake.disposed).toBe(true);
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(() => store.subscribeToAll()).toThrow(EventStoreUnavailableError);
  });
});
