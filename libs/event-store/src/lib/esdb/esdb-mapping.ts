/**
 * Pure translations between the port and `@eventstore/db-client` 6.2.1, kept apart from the
 * adapter so they can be unit-tested without a server. See the block comment at the top of
 * `esdb-event-store.ts` and `docs/event-store-esdb.md` for the position mapping.
 */
import {
  ANY,
  CancelledError,
  DeadlineExceededError,
  END,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError as EsdbStreamNotFoundError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  convertToCommandError,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Filter,
  type Position as EsdbPosition,
  type ReadPosition,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import {
  EventStoreError,
  EventStoreUnavailableError,
  EventStoreValidationError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type ActualRevision,
} from '../event-store.errors.js';
import type {
  ExpectedRevision,
  JsonObject,
  Position,
  RecordedEvent,
  SubscriptionFilter,
} from '../event-store.port.js';
import { START } from '../event-store.port.js';

/** The server encodes "no position" as -1, which reaches the client as an unsigned 2^64 - 1. */
const UNKNOWN_POSITION = 2n ** 64n - 1n;
/** The server stores log positions as signed 64-bit integers. */
const MAX_LOG_POSITION = 2n ** 63n - 1n;

/**
 * An event whose log position cannot be expressed as one number: it was committed by a legacy
 * explicit transaction (TCP API), so its commit and prepare positions differ, or the server
 * did not report a position (servers before 22.6 on stream reads). Not retryable.
 */
export class UnsupportedEsdbPositionError extends EventStoreError {
  readonly code = 'ESDB_UNSUPPORTED_POSITION';
  constructor(
    message: string,
    readonly position: EsdbPosition | undefined,
  ) {
    super(message);
    this.name = 'UnsupportedEsdbPositionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

/**
 * The port position of an event: its commit position. Every event appended over gRPC is
 * "self-committed" (one prepare record, commit == prepare == the record's own log position),
 * so the commit position alone identifies it and orders `$all`.
 */
export function toPortPosition(position: EsdbPosition | undefined): Position {
  if (!position || position.commit === UNKNOWN_POSITION || position.prepare === UNKNOWN_POSITION) {
    throw new UnsupportedEsdbPositionError(
      'EventStoreDB returned an event without a log position (server older than 22.6?)',
      position,
    );
  }
  if (position.commit < 0n || position.commit > MAX_LOG_POSITION) {
    throw new UnsupportedEsdbPositionError(`invalid commit position ${position.commit}`, position);
  }
  if (position.commit !== position.prepare) {
    throw new UnsupportedEsdbPositionError(
      `event at commit ${position.commit} / prepare ${position.prepare} belongs to an explicit ` +
        'transaction; this adapter supports only self-committed events (every gRPC append is one)',
      position,
    );
  }
  return position.commit;
}

/** The client position of an event the port handed out (the inverse of `toPortPosition`). */
export function toEsdbPosition(position: Position): EsdbPosition {
  return { commit: position, prepare: position };
}

/**
 * Where to start a forward `$all` read or subscription to see everything after `after`.
 * Reads from a position are inclusive on the server (and subscriptions may or may not be), so
 * callers also drop events at or before `after` (see `isAfter`). `START` reads from the
 * beginning: the transaction file starts with an epoch record, so no event sits at 0.
 */
export function toReadPosition(after: Position): ReadPosition {
  return after === START ? ESDB_START : toEsdbPosition(after);
}

/** Whether an event at `position` is strictly after the checkpoint `after`. */
export function isAfter(position: Position, after: Position): boolean {
  return position > after;
}

/** The start of a backwards `$all` read: the end, or (exclusive) an event's position. */
export function toBackwardReadPosition(before: Position | undefined): ReadPosition {
  return before === undefined ? END : toEsdbPosition(before);
}

// ---------------------------------------------------------------------------------------------
// Revisions
// ---------------------------------------------------------------------------------------------

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

/** A stream revision from the client (bigint) as a port revision (number). */
export function toPortRevision(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`stream revision ${revision} is outside the safe integer range`);
  }
  return Number(revision);
}

/**
 * The actual revision the server reported in a wrong-expected-version error. Older servers put
 * it in trailers as "-1" for a missing stream; newer ones leave it out ("no_stream").
 */
export function toActualRevision(current: CurrentRevision): ActualRevision {
  if (current === NO_STREAM || current < 0n) return 'no_stream';
  return toPortRevision(current);
}

function toPortExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  return typeof expected === 'bigint' ? toPortRevision(expected) : expected;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** System events: `$`-prefixed streams (`$$meta`, `$stats-…`, `$scavenges`) or types (`$>`, `$metadata`). */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/**
 * A client event as a port event. This adapter writes only JSON objects; anything else (binary
 * or non-object payloads written by other tools) reads as `{}` so that one foreign event
 * cannot stop a projection that reads the whole log.
 */
export function toRecordedEvent(event: EsdbRecordedEvent): RecordedEvent {
  const data: unknown = event.data;
  const metadata: unknown = event.metadata;
  return {
    id: event.id,
    streamId: event.streamId,
    revision: toPortRevision(event.revision),
    position: toPortPosition(event.position),
    type: event.type,
    data: event.isJson && isJsonObject(data) ? data : {},
    metadata: isJsonObject(metadata) ? metadata : {},
    recordedAt: event.created,
  };
}

// ---------------------------------------------------------------------------------------------
// Subscription filters
// ---------------------------------------------------------------------------------------------

/**
 * The server-side part of a subscription filter. The server takes one filter, on stream names
 * or on event types, so: stream prefixes when given (they are the more selective and our
 * stream names never start with `$`), else event types as prefixes, else "no system events".
 * The adapter still applies the whole filter, the exact event-type match and the system-event
 * rule client-side (`matchesFilter`, `isSystemEvent`).
 */
export function toServerFilter(filter: SubscriptionFilter | undefined): Filter {
  const prefixes = filter?.streamPrefixes?.filter((p) => p.length > 0) ?? [];
  if (filter?.streamPrefixes?.length && prefixes.length === filter.streamPrefixes.length) {
    return streamNameFilter({ prefixes });
  }
  const types = filter?.eventTypes?.filter((t) => t.length > 0 && !t.startsWith('$')) ?? [];
  if (filter?.eventTypes?.length && types.length > 0) {
    return eventTypeFilter({ prefixes: types });
  }
  return excludeSystemEvents();
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export interface ErrorContext {
  streamId?: string;
  expected?: ExpectedRevision;
}

/**
 * Whether a client error means "the server cannot be reached right now": the client's own
 * reconnect triggers (unavailable, cancelled by the server), a leader change, timeouts, and
 * UNKNOWN/INTERNAL, which is how a connection reset during a server restart surfaces.
 */
export function isTransientEsdbError(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const converted = convertToCommandError(error);
  return (
    converted instanceof UnavailableError ||
    converted instanceof CancelledError ||
    converted instanceof DeadlineExceededError ||
    converted instanceof TimeoutError ||
    converted instanceof NotLeaderError ||
    converted instanceof UnknownError
  );
}

/** A client error as the port's error; errors the port has no name for pass through unchanged. */
export function mapEsdbError(error: unknown, context: ErrorContext = {}): unknown {
  if (!(error instanceof Error) || error instanceof EventStoreError) return error;
  const converted = convertToCommandError(error);
  if (converted instanceof EsdbWrongExpectedVersionError) {
    return new WrongExpectedVersionError(
      context.streamId ?? converted.streamName,
      context.expected ?? toPortExpectedRevision(converted.expectedVersion),
      toActualRevision(converted.actualVersion),
    );
  }
  if (converted instanceof EsdbStreamNotFoundError) {
    return new StreamNotFoundError(context.streamId ?? converted.streamName);
  }
  if (converted instanceof MaxAppendSizeExceededError) {
    // Our own limit (LIMITS.appendMaxBytes) fits the default 1 MiB; this means the server runs
    // with a smaller MaxAppendSize. Nothing was written.
    return new EventStoreValidationError(
      `the append exceeds the server's MaxAppendSize of ${converted.maxAppendSize} bytes`,
      'events',
    );
  }
  if (isTransientEsdbError(converted)) {
    return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${converted.message}`, { cause: error });
  }
  return converted;
}

// ---------------------------------------------------------------------------------------------
// Reconnect
// ---------------------------------------------------------------------------------------------

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Delay before resubscription attempt `attempt` (0-based): exponential, capped, with ±20 %
 * jitter so that many workers do not reconnect in lockstep after a server restart.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(options.maxDelayMs, exponential * jitter));
}

// ---------------------------------------------------------------------------------------------
// Connection strings
// ---------------------------------------------------------------------------------------------

/**
 * Client 6.2.1 parses only `esdb://` and `esdb+discover://`; KurrentDB's `kurrentdb://` (and
 * `kurrent://`) name the same gRPC protocol, so they are rewritten.
 */
export function normalizeConnectionString(url: string): string {
  return url.trim().replace(/^(?:kurrentdb|kurrent)(\+discover)?:\/\//i, (_match, discover: string | undefined) => `esdb${discover ?? ''}://`);
}
