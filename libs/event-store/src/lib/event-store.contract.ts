/**
 * The contract every EventStore adapter must meet. Adapter specs call
 * `describeEventStoreContract` with a factory; the suite uses only the port, with stream
 * names unique to each run, so it can run against a shared server that holds other data.
 */
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { EventStoreValidationError, StreamNotFoundError, WrongExpectedVersionError } from './event-store.errors.js';
import type { EventStore, EventToAppend, Position, RecordedEvent, Subscription } from './event-store.port.js';

export interface ContractHarness {
  store: EventStore;
  /** Closes the store and opens it again on the same data (a process restart). */
  reopen(): Promise<EventStore>;
  dispose(): Promise<void>;
}

const event = (type: string, data: Record<string, unknown> = {}, metadata?: Record<string, unknown>): EventToAppend =>
  ({ type, data, ...(metadata ? { metadata } : {}) }) as EventToAppend;

async function expectRejection<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

/** Takes `count` events from a subscription, failing instead of hanging if they never come. */
async function take(subscription: Subscription, count: number, timeoutMs = 15000): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  if (count === 0) return taken;
  const iterator = subscription[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (taken.length < count) {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(remaining, 0));
    });
    const next = await Promise.race([iterator.next(), timeout]);
    clearTimeout(timer);
    if (next === 'timeout') throw new Error(`subscription delivered ${taken.length} of ${count} events in ${timeoutMs} ms`);
    if (next.done) throw new Error(`subscription ended after ${taken.length} of ${count} events`);
    taken.push(next.value);
  }
  return taken;
}

export function describeEventStoreContract(adapterName: string, createHarness: () => Promise<ContractHarness>): void {
  describe(`EventStore contract: ${adapterName}`, () => {
    let harness: ContractHarness;
    let store: EventStore;
    const run = randomUUID().slice(0, 8);
    let counter = 0;
    const newStream = (category = 'contract'): string => `${category}${run}-${++counter}`;

    beforeAll(async () => {
      harness = await createHarness();
      store = harness.store;
    });
    afterAll(async () => {
      await harness.dispose();
    });

    describe('append and read a stream', () => {
      it('writes events with consecutive revisions and increasing positions, and reads them back intact', async () => {
        const stream = newStream();
        const id = randomUUID();
        const first = await store.append(
          stream,
          [
            { id, type: 'TicketOpened', data: { title: 'Login fails', tags: ['p1'], n: 1.5, ok: true, none: null }, metadata: { actor: 'u1' } },
            event('TicketAssigned', { to: 'alice', unicode: 'Привет 👋 مرحبا' }),
          ],
          'no_stream',
        );
        expect(first.nextExpectedRevision).toBe(1);
        const second = await store.append(stream, [event('TicketResolved')], 1);
        expect(second.nextExpectedRevision).toBe(2);
        expect(second.position).toBeGreaterThan(first.position);

        const events = await store.readStream(stream);
        expect(events.map((e) => [e.revision, e.type])).toEqual([
          [0, 'TicketOpened'],
          [1, 'TicketAssigned'],
          [2, 'TicketResolved'],
        ]);
        expect(events[0]!.id).toBe(id);
        expect(events[0]!.streamId).toBe(stream);
        expect(events[0]!.data).toEqual({ title: 'Login fails', tags: ['p1'], n: 1.5, ok: true, none: null });
        expect(events[0]!.metadata).toEqual({ actor: 'u1' });
        expect(events[1]!.data).toEqual({ to: 'alice', unicode: 'Привет 👋 مرحبا' });
        expect(events[2]!.metadata).toEqual({});
        expect(events[2]!.position).toBe(second.position);
        expect(events[1]!.position).toBe(first.position);
        expect(events[0]!.position).toBeLessThan(events[1]!.position);
        expect(events[0]!.recordedAt).toBeInstanceOf(Date);
      });

      it('reads backwards, from a revision, and at most maxCount events', async () => {
        const stream = newStream();
        await store.append(stream, Array.from({ length: 10 }, (_, i) => event('E', { i })), 'no_stream');
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 3 });
        expect(backwards.map((e) => e.revision)).toEqual([9, 8, 7]);
        const fromFive = await store.readStream(stream, { fromRevision: 5, maxCount: 2 });
        expect(fromFive.map((e) => e.data['i'])).toEqual([5, 6]);
        const backFromFour = await store.readStream(stream, { direction: 'backwards', fromRevision: 4 });
        expect(backFromFour.map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
        expect(await store.readStream(stream, { fromRevision: 10 })).toEqual([]);
      });

      it('reports a missing stream as StreamNotFound', async () => {
        const stream = newStream();
        const error = await expectRejection(store.readStream(stream), StreamNotFoundError);
        expect(error.streamId).toBe(stream);
        expect(await store.streamHead(stream)).toBeNull();
      });

      it('gives the head of a stream', async () => {
        const stream = newStream();
        const written = await store.append(stream, [event('A'), event('B')], 'no_stream');
        expect(await store.streamHead(stream)).toEqual({ revision: 1, position: written.position });
      });
    });

    describe('expected revision', () => {
      it('no_stream: accepts a new stream, refuses an existing one with its actual revision', async () => {
        const stream = newStream();
        await store.append(stream, [event('A')], 'no_stream');
        const error = await expectRejection(store.append(stream, [event('B')], 'no_stream'), WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: stream, expected: 'no_stream', actual: 0 });
      });

      it('stream_exists: refuses a missing stream, accepts an existing one', async () => {
        const stream = newStream();
        const error = await expectRejection(store.append(stream, [event('A')], 'stream_exists'), WrongExpectedVersionError);
        expect(error).toMatchObject({ expected: 'stream_exists', actual: 'no_stream' });
        await store.append(stream, [event('A')], 'any');
        expect((await store.append(stream, [event('B')], 'stream_exists')).nextExpectedRevision).toBe(1);
      });

      it('an exact revision: accepts the current one, refuses a stale or future one, and a missing stream', async () => {
        const stream = newStream();
        const missing = await expectRejection(store.append(stream, [event('A')], 0), WrongExpectedVersionError);
        expect(missing).toMatchObject({ expected: 0, actual: 'no_stream' });
        await store.append(stream, [event('A'), event('B'), event('C')], 'no_stream');
        expect((await store.append(stream, [event('D')], 2)).nextExpectedRevision).toBe(3);
        const stale = await expectRejection(store.append(stream, [event('E')], 2), WrongExpectedVersionError);
        expect(stale).toMatchObject({ streamId: stream, expected: 2, actual: 3 });
        const future = await expectRejection(store.append(stream, [event('E')], 7), WrongExpectedVersionError);
        expect(future).toMatchObject({ expected: 7, actual: 3 });
      });

      it('any: appends whether or not the stream exists', async () => {
        const stream = newStream();
        expect((await store.append(stream, [event('A')], 'any')).nextExpectedRevision).toBe(0);
        expect((await store.append(stream, [event('B')], 'any')).nextExpectedRevision).toBe(1);
      });

      it('a refused append writes nothing', async () => {
        const stream = newStream();
        await store.append(stream, [event('A')], 'no_stream');
        const head = await store.headPosition();
        await expectRejection(store.append(stream, [event('B'), event('C')], 5), WrongExpectedVersionError);
        expect((await store.readStream(stream)).map((e) => e.type)).toEqual(['A']);
        expect(await store.headPosition()).toBe(head);
      });
    });

    describe('concurrency', () => {
      it('64 appenders racing for the same revision: exactly one wins each round', async () => {
        const stream = newStream();
        await store.append(stream, [event('Start')], 'no_stream');
        for (let round = 0; round < 5; round++) {
          const expected = round;
          const outcomes = await Promise.allSettled(
            Array.from({ length: 64 }, (_, writer) => store.append(stream, [event('Claim', { round, writer })], expected)),
          );
          const winners = outcomes.filter((o) => o.status === 'fulfilled');
          const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(winners).toHaveLength(1);
          expect(losers).toHaveLength(63);
          for (const loser of losers) {
            expect(loser.reason).toBeInstanceOf(WrongExpectedVersionError);
            expect((loser.reason as WrongExpectedVersionError).actual).toBe(round + 1);
          }
        }
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(events.slice(1).map((e) => e.data['round'])).toEqual([0, 1, 2, 3, 4]);
      });

      it('64 appenders retrying on conflict: no event lost or duplicated, revisions dense', async () => {
        const stream = newStream();
        const writers = 64;
        const perWriter = 4;
        let conflicts = 0;
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (let seq = 0; seq < perWriter; ) {
              const head = await store.streamHead(stream);
              try {
                await store.append(stream, [event('Write', { writer, seq })], head ? head.revision : 'no_stream');
                seq++;
              } catch (error) {
                if (!(error instanceof WrongExpectedVersionError)) throw error;
                conflicts++;
              }
            }
          }),
        );
        const events = await store.readStream(stream);
        expect(events).toHaveLength(writers * perWriter);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => i));
        const keys = new Set(events.map((e) => `${String(e.data['writer'])}/${String(e.data['seq'])}`));
        expect(keys.size).toBe(writers * perWriter);
        // Each writer's own events keep their order.
        for (let writer = 0; writer < writers; writer++) {
          const seqs = events.filter((e) => e.data['writer'] === writer).map((e) => e.data['seq']);
          expect(seqs).toEqual([0, 1, 2, 3]);
        }
        expect(conflicts).toBeGreaterThan(0);
      });

      it('appends to different streams at once all succeed with distinct, increasing positions', async () => {
        const streams = Array.from({ length: 64 }, () => newStream());
        const results = await Promise.all(streams.map((s) => store.append(s, [event('A'), event('B')], 'no_stream')));
        const positions = results.map((r) => r.position);
        expect(new Set(positions).size).toBe(64);
        for (const [i, stream] of streams.entries()) {
          const events = await store.readStream(stream);
          expect(events[1]!.position).toBe(results[i]!.position);
          expect(events[0]!.position).toBeLessThan(events[1]!.position);
        }
      });
    });

    describe('the global log', () => {
      it('reads all events after a position in commit order, in batches', async () => {
        const start = await store.headPosition();
        const prefix = newStream('readall');
        const written: string[] = [];
        for (let i = 0; i < 25; i++) {
          const stream = `${prefix}-${i % 3}`;
          await store.append(stream, [event('E', { i })], 'any');
          written.push(`${stream}:${i}`);
        }
        const seen: RecordedEvent[] = [];
        let after: Position = start;
        for (;;) {
          const batch = await store.readAll({ after, maxCount: 7 });
          if (batch.length === 0) break;
          expect(batch.length).toBeLessThanOrEqual(7);
          seen.push(...batch);
          after = batch[batch.length - 1]!.position;
        }
        const ours = seen.filter((e) => e.streamId.startsWith(prefix));
        expect(ours.map((e) => `${e.streamId}:${String(e.data['i'])}`)).toEqual(written);
        for (let i = 1; i < seen.length; i++) expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
        expect(seen[0]!.position).toBeGreaterThan(start);
        expect(await store.headPosition()).toBe(seen[seen.length - 1]!.position);
      });
    });

    describe('subscriptions', () => {
      it('catches up, then goes live, with no gap and no duplicate at the switch', async () => {
        const prefix = newStream('sub');
        const start = await store.headPosition();
        for (let i = 0; i < 120; i++) await store.append(`${prefix}-${i % 4}`, [event('Tick', { i })], 'any');
        const subscription = store.subscribeToAll({ after: start, filter: { streamPrefixes: [prefix] }, batchSize: 16 });
        // Keep appending while the subscription catches up, so the switch to live happens under load.
        const writer = (async () => {
          for (let i = 120; i < 240; i++) {
            await store.append(`${prefix}-${i % 4}`, [event('Tick', { i })], 'any');
            if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
          }
        })();
        const received = await take(subscription, 240);
        await writer;
        await subscription.close();
        expect(received.map((e) => e.data['i'])).toEqual(Array.from({ length: 240 }, (_, i) => i));
        for (let i = 1; i < received.length; i++) expect(received[i]!.position).toBeGreaterThan(received[i - 1]!.position);
      });

      it('delivers an event appended after the subscription has caught up (live)', async () => {
        const prefix = newStream('live');
        const subscription = store.subscribeToAll({ after: await store.headPosition(), filter: { streamPrefixes: [prefix] } });
        const received = take(subscription, 1);
        await new Promise((resolve) => setTimeout(resolve, 50));
        await store.append(`${prefix}-x`, [event('Live', { n: 1 })], 'no_stream');
        expect((await received).map((e) => e.type)).toEqual(['Live']);
        await subscription.close();
      });

      it('filters by event type', async () => {
        const prefix = newStream('types');
        const start = await store.headPosition();
        await store.append(`${prefix}-a`, [event('Wanted', { n: 1 }), event('Other'), event('Wanted', { n: 2 })], 'no_stream');
        await store.append(`${prefix}-b`, [event('Other'), event('Wanted', { n: 3 })], 'no_stream');
        const subscription = store.subscribeToAll({ after: start, filter: { streamPrefixes: [prefix], eventTypes: ['Wanted'] } });
        const received = await take(subscription, 3);
        await subscription.close();
        expect(received.map((e) => e.data['n'])).toEqual([1, 2, 3]);
      });

      it('resumes from a checkpoint after a restart, delivering each event exactly once', async () => {
        const prefix = newStream('resume');
        const start = await store.headPosition();
        for (let i = 0; i < 30; i++) await store.append(`${prefix}-${i % 2}`, [event('N', { i })], 'any');
        const first = store.subscribeToAll({ after: start, filter: { streamPrefixes: [prefix] } });
        const firstPart = await take(first, 12);
        const checkpoint = firstPart[firstPart.length - 1]!.position;
        await first.close();

        store = await harness.reopen();
        for (let i = 30; i < 40; i++) await store.append(`${prefix}-${i % 2}`, [event('N', { i })], 'any');
        const second = store.subscribeToAll({ after: checkpoint, filter: { streamPrefixes: [prefix] } });
        const rest = await take(second, 28);
        await second.close();
        expect([...firstPart, ...rest].map((e) => e.data['i'])).toEqual(Array.from({ length: 40 }, (_, i) => i));
      });

      it('a closed subscription ends its iteration', async () => {
        const subscription = store.subscribeToAll({ after: await store.headPosition() });
        const pending = subscription[Symbol.asyncIterator]().next();
        await subscription.close();
        expect((await pending).done).toBe(true);
      });
    });

    describe('bad input is refused with a validation error and writes nothing', () => {
      const circular: Record<string, unknown> = { a: 1 };
      circular['self'] = circular;
      const cases: Array<[string, () => [unknown, unknown, unknown]]> = [
        ['an empty stream name', () => ['', [event('A')], 'any']],
        ['an over-long stream name', () => ['s'.repeat(201), [event('A')], 'any']],
        ['a reserved $ stream name', () => ['$all', [event('A')], 'any']],
        ['a stream name with a control character', () => ['bad\nname', [event('A')], 'any']],
        ['no events', () => [null, [], 'any']],
        ['an event without a type', () => [null, [{ data: {} }], 'any']],
        ['an event id that is not a UUID', () => [null, [{ id: 'x', type: 'A', data: {} }], 'any']],
        ['undefined in data', () => [null, [{ type: 'A', data: { a: undefined } }], 'any']],
        ['NaN in data', () => [null, [{ type: 'A', data: { a: Number.NaN } }], 'any']],
        ['Infinity in metadata', () => [null, [{ type: 'A', data: {}, metadata: { a: Infinity } }], 'any']],
        ['a function in data', () => [null, [{ type: 'A', data: { f: () => 1 } }], 'any']],
        ['a Date in data', () => [null, [{ type: 'A', data: { at: new Date() } }], 'any']],
        ['a bigint in data', () => [null, [{ type: 'A', data: { n: 1n } }], 'any']],
        ['a circular structure', () => [null, [{ type: 'A', data: circular }], 'any']],
        ['data that is an array', () => [null, [{ type: 'A', data: [1, 2] }], 'any']],
        ['an event over the size limit', () => [null, [{ type: 'A', data: { big: 'x'.repeat(300 * 1024) } }], 'any']],
        ['an append over the size limit', () => [null, Array.from({ length: 5 }, () => ({ type: 'A', data: { big: 'x'.repeat(250 * 1024) } })), 'any']],
        ['a negative expected revision', () => [null, [event('A')], -1]],
        ['an unknown expected-revision mode', () => [null, [event('A')], 'latest']],
      ];
      it.each(cases)('%s', async (_name, build) => {
        const [name, events, expected] = build();
        const stream = (name as string | null) ?? newStream('bad');
        const head = await store.headPosition();
        const error = await expectRejection(
          store.append(stream, events as EventToAppend[], expected as never),
          EventStoreValidationError,
        );
        expect(error.code).toBe('INVALID_EVENT_STORE_INPUT');
        expect(error.path).toBeTruthy();
        expect(await store.headPosition()).toBe(head);
      });

      it('names the path of the offending value', async () => {
        const error = await expectRejection(
          store.append(newStream('bad'), [event('A'), { type: 'B', data: { list: [1, { ok: true, at: Number.NaN }] } }], 'any'),
          EventStoreValidationError,
        );
        expect(error.path).toBe('events[1].data.list[1].at');
      });

      it('refuses a bad read', async () => {
        await expectRejection(store.readStream(''), EventStoreValidationError);
        await expectRejection(store.readStream(newStream(), { maxCount: 0 }), EventStoreValidationError);
        await expectRejection(store.readAll({ after: -1n }), EventStoreValidationError);
      });
    });
  });
}
