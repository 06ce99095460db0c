import { describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  CancelledError,
  MaxAppendSizeExceededError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  EventStoreValidationError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../event-store.errors.js';
import { START } from '../event-store.port.js';
import {
  UnsupportedEsdbPositionError,
  backoffDelay,
  isAfter,
  isSystemEvent,
  isTransientEsdbError,
  mapEsdbError,
  normalizeConnectionString,
  toActualRevision,
  toBackwardReadPosition,
  toEsdbExpectedRevision,
  toEsdbPosition,
  toPortPosition,
  toPortRevision,
  toReadPosition,
  toRecordedEvent,
  toServerFilter,
} from './esdb-mapping.js';

/** What @grpc/grpc-js hands the client when a call fails: an Error with a numeric status code. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

describe('EventStoreDB mapping: positions', () => {
  it('uses the commit position of a self-committed event (commit == prepare)', () => {
    expect(toPortPosition({ commit: 1234n, prepare: 1234n })).toBe(1234n);
    expect(toEsdbPosition(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(toPortPosition(toEsdbPosition(987654321n))).toBe(987654321n);
  });

  it('refuses positions it cannot express as one number', () => {
    // An event of a legacy explicit transaction: commit record after its prepares.
    expect(() => toPortPosition({ commit: 5000n, prepare: 4200n })).toThrow(UnsupportedEsdbPositionError);
    // "No position" (-1 on the server) arrives as 2^64 - 1.
    expect(() => toPortPosition({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toThrow(UnsupportedEsdbPositionError);
    expect(() => toPortPosition(undefined)).toThrow(UnsupportedEsdbPositionError);
  });

  it('starts forward reads at the start or at the checkpoint event, and keeps only later events', () => {
    expect(toReadPosition(START)).toBe('start');
    expect(toReadPosition(77n)).toEqual({ commit: 77n, prepare: 77n });
    expect(isAfter(77n, 77n)).toBe(false);
    expect(isAfter(78n, 77n)).toBe(true);
    expect(toBackwardReadPosition(undefined)).toBe('end');
    expect(toBackwardReadPosition(77n)).toEqual({ commit: 77n, prepare: 77n });
  });
});

describe('EventStoreDB mapping: revisions', () => {
  it('maps every expected-revision mode', () => {
    expect(toEsdbExpectedRevision('no_stream')).toBe('no_stream');
    expect(toEsdbExpectedRevision('stream_exists')).toBe('stream_exists');
    expect(toEsdbExpectedRevision('any')).toBe('any');
    expect(toEsdbExpectedRevision(0)).toBe(0n);
    expect(toEsdbExpectedRevision(41)).toBe(41n);
  });

  it('maps actual revisions, including the older servers\' -1 for a missing stream', () => {
    expect(toActualRevision('no_stream')).toBe('no_stream');
    expect(toActualRevision(-1n)).toBe('no_stream');
    expect(toActualRevision(0n)).toBe(0);
    expect(toActualRevision(3n)).toBe(3);
    expect(() => toPortRevision(2n ** 60n)).toThrow(RangeError);
  });
});

describe('EventStoreDB mapping: events', () => {
  const base = {
    streamId: 'ticket-ABC',
    id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    revision: 2n,
    type: 'TicketAssigned',
    created: new Date('2026-01-02T03:04:05.000Z'),
    position: { commit: 900n, prepare: 900n },
  };

  it('maps a JSON event', () => {
    const event = { ...base, isJson: true, data: { to: 'alice' }, metadata: { actor: 'u1' } } as EsdbRecordedEvent;
    expect(toRecordedEvent(event)).toEqual({
      id: base.id,
      streamId: 'ticket-ABC',
      revision: 2,
      position: 900n,
      type: 'TicketAssigned',
      data: { to: 'alice' },
      metadata: { actor: 'u1' },
      recordedAt: base.created,
    });
  });

  it('reads foreign payloads (binary, arrays, no metadata) as empty objects', () => {
    const binary = { ...base, isJson: false, data: new Uint8Array([1, 2]), metadata: undefined } as EsdbRecordedEvent;
    expect(toRecordedEvent(binary)).toMatchObject({ data: {}, metadata: {} });
    const array = { ...base, isJson: true, data: [1, 2], metadata: new Uint8Array([1]) } as EsdbRecordedEvent;
    expect(toRecordedEvent(array)).toMatchObject({ data: {}, metadata: {} });
  });

  it('recognizes system events by stream or type', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', 'x')).toBe(true);
    expect(isSystemEvent('$$ticket-1', '$metadata')).toBe(true);
    expect(isSystemEvent('ticket-1', '$>')).toBe(true);
    expect(isSystemEvent('ticket-1', 'TicketOpened')).toBe(false);
  });
});

describe('EventStoreDB mapping: subscription filters', () => {
  it('filters by stream prefix on the server when prefixes are given', () => {
    expect(toServerFilter({ streamPrefixes: ['ticket-'], eventTypes: ['A'] })).toMatchObject({
      filterOn: 'streamName',
      prefixes: ['ticket-'],
    });
  });

  it('else by event type (prefixes; the exact match is done client-side)', () => {
    expect(toServerFilter({ eventTypes: ['TicketOpened', 'TicketClosed'] })).toMatchObject({
      filterOn: 'eventType',
      prefixes: ['TicketOpened', 'TicketClosed'],
    });
  });

  it('else excludes system events', () => {
    expect(toServerFilter(undefined)).toMatchObject({ filterOn: 'eventType', regex: '^[^$].*' });
    // An empty prefix matches every stream, $-streams included: fall back to the safe filter.
    expect(toServerFilter({ streamPrefixes: [''] })).toMatchObject({ regex: '^[^$].*' });
  });
});

describe('EventStoreDB mapping: errors', () => {
  it('maps the client\'s wrong-expected-version error with the actual revision', () => {
    const clientError = new EsdbWrongExpectedVersionError(undefined, { streamName: 's-1', expected: 2n, current: 3n });
    const mapped = mapEsdbError(clientError, { streamId: 's-1', expected: 2 });
    expect(mapped).toBeInstanceOf(WrongExpectedVersionError);
    expect(mapped).toMatchObject({ streamId: 's-1', expected: 2, actual: 3, code: 'WRONG_EXPECTED_VERSION' });
  });

  it('reports a missing stream as no_stream, and falls back to the client\'s own fields', () => {
    const clientError = new EsdbWrongExpectedVersionError(undefined, {
      streamName: 's-2',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(mapEsdbError(clientError)).toMatchObject({ streamId: 's-2', expected: 'stream_exists', actual: 'no_stream' });
  });

  it('maps stream-not-found', () => {
    const mapped = mapEsdbError(new EsdbStreamNotFoundError(undefined, 'ticket-X'), { streamId: 'ticket-X' });
    expect(mapped).toBeInstanceOf(StreamNotFoundError);
    expect(mapped).toMatchObject({ streamId: 'ticket-X' });
  });

  it('maps unavailable servers, raw gRPC UNAVAILABLE included, to EventStoreUnavailableError', () => {
    expect(mapEsdbError(new UnavailableError())).toBeInstanceOf(EventStoreUnavailableError);
    const raw = grpcError(14, 'No connection established');
    const mapped = mapEsdbError(raw);
    expect(mapped).toBeInstanceOf(EventStoreUnavailableError);
    expect((mapped as EventStoreUnavailableError).cause).toBe(raw);
  });

  it('maps a server-side append size limit to a validation error', () => {
    const mapped = mapEsdbError(MaxAppendSizeExceededError.fromMaxAppendSize(512 * 1024));
    expect(mapped).toBeInstanceOf(EventStoreValidationError);
    expect(mapped).toMatchObject({ path: 'events' });
  });

  it('passes through what the port has no name for, and its own errors', () => {
    const denied = new AccessDeniedError();
    expect(mapEsdbError(denied)).toBe(denied);
    const own = new StreamNotFoundError('x');
    expect(mapEsdbError(own)).toBe(own);
    expect(mapEsdbError('not an error')).toBe('not an error');
  });

  it('tells transient failures (retry) from the others', () => {
    expect(isTransientEsdbError(new UnavailableError())).toBe(true);
    expect(isTransientEsdbError(new CancelledError())).toBe(true);
    expect(isTransientEsdbError(new UnknownError())).toBe(true);
    expect(isTransientEsdbError(grpcError(14, 'Connection dropped'))).toBe(true);
    expect(isTransientEsdbError(grpcError(13, 'Received RST_STREAM with code 2'))).toBe(true);
    expect(isTransientEsdbError(new AccessDeniedError())).toBe(false);
    expect(isTransientEsdbError(new UnsupportedEsdbPositionError('x', undefined))).toBe(false);
    expect(isTransientEsdbError(new Error('bug'))).toBe(false);
  });
});

describe('EventStoreDB mapping: reconnect backoff and connection strings', () => {
  const options = { initialDelayMs: 100, maxDelayMs: 5000 };

  it('doubles, caps and jitters by at most 20 %', () => {
    const mid = (): number => 0.5;
    expect([0, 1, 2, 3, 10, 1000].map((a) => backoffDelay(a, options, mid))).toEqual([100, 200, 400, 800, 5000, 5000]);
    expect(backoffDelay(0, options, () => 0)).toBe(80);
    expect(backoffDelay(0, options, () => 1)).toBe(120);
    expect(backoffDelay(20, options, () => 1)).toBe(5000);
  });

  it('accepts kurrentdb:// as esdb://', () => {
    expect(normalizeConnectionString(' kurrentdb://localhost:2113?tls=false ')).toBe('esdb://localhost:2113?tls=false');
    expect(normalizeConnectionString('kurrentdb+discover://a,b')).toBe('esdb+discover://a,b');
    expect(normalizeConnectionString('esdb://localhost:2113?tls=false')).toBe('esdb://localhost:2113?tls=false');
  });
});
