import { randomUUID } from 'node:crypto';
import { EventStoreValidationError } from './event-store.errors.js';
import type { EventToAppend, ExpectedRevision, ReadAllOptions, ReadStreamOptions } from './event-store.port.js';

/**
 * Limits shared by every adapter, chosen so a valid append fits EventStoreDB's default
 * `MaxAppendSize` (1 MiB) with room for its own framing.
 */
export const LIMITS = {
  streamIdMaxLength: 200,
  eventTypeMaxLength: 200,
  /** Serialized data + metadata of one event, in UTF-8 bytes. */
  eventMaxBytes: 256 * 1024,
  /** Serialized data + metadata of all events of one append. */
  appendMaxBytes: 1000 * 1024,
  eventsPerAppendMax: 1000,
  readMaxCount: 10_000,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An event validated and serialized once, ready for any adapter to write. */
export interface PreparedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

export function validateStreamId(streamId: unknown, path = 'streamId'): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new EventStoreValidationError('a stream name must be a non-empty string', path);
  }
  if (streamId.length > LIMITS.streamIdMaxLength) {
    throw new EventStoreValidationError(`a stream name must be at most ${LIMITS.streamIdMaxLength} characters`, path);
  }
  if (streamId.startsWith('$')) {
    throw new EventStoreValidationError('stream names starting with "$" are reserved for the store', path);
  }
  if (CONTROL.test(streamId)) {
    throw new EventStoreValidationError('a stream name must not contain control characters', path);
  }
}

export function validateExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'no_stream' || expected === 'stream_exists' || expected === 'any') return;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return;
  throw new EventStoreValidationError(
    'must be a revision (integer >= 0) or one of "no_stream", "stream_exists", "any"',
    'expectedRevision',
  );
}

/** Throws unless `value` is plain JSON (no undefined, NaN, Infinity, Date, Map, class instance, cycle). */
export function assertJson(value: unknown, path: string): void {
  const problem = jsonProblem(value, new Set());
  if (problem) throw new EventStoreValidationError(problem.message, path + problem.path.reverse().join(''));
}

function at(problem: { message: string; path: string[] }, step: string): { message: string; path: string[] } {
  problem.path.push(step);
  return problem;
}

/**
 * What makes `value` not plain JSON, or null. Runs on every appended event, so the path of the
 * offending value is built only on the way back from a failure, not for every visited value.
 */
function jsonProblem(value: unknown, seen: Set<object>): { message: string; path: string[] } | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : { message: 'numbers must be finite', path: [] };
    case 'object': {
      if (value === null) return null;
      if (seen.has(value)) return { message: 'circular reference', path: [] };
      seen.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const problem = jsonProblem(value[i], seen);
          if (problem) return at(problem, `[${i}]`);
        }
      } else {
        const proto = Object.getPrototypeOf(value) as unknown;
        if (proto !== Object.prototype && proto !== null) {
          return { message: 'only plain objects are JSON (convert dates to ISO strings)', path: [] };
        }
        for (const key in value) {
          const problem = jsonProblem((value as Record<string, unknown>)[key], seen);
          if (problem) return at(problem, `.${key}`);
        }
      }
      seen.delete(value);
      return null;
    }
    default:
      return { message: `a ${typeof value} is not JSON`, path: [] };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Validates a whole append up front so that a rejected append writes nothing. */
export function prepareAppend(streamId: unknown, events: unknown, expected: unknown): PreparedEvent[] {
  validateStreamId(streamId);
  validateExpectedRevision(expected);
  if (!Array.isArray(events) || events.length === 0) {
    throw new EventStoreValidationError('an append needs at least one event', 'events');
  }
  if (events.length > LIMITS.eventsPerAppendMax) {
    throw new EventStoreValidationError(`at most ${LIMITS.eventsPerAppendMax} events per append`, 'events');
  }
  let total = 0;
  return (events as unknown[]).map((raw, i) => {
    const path = `events[${i}]`;
    if (!isPlainObject(raw)) throw new EventStoreValidationError('an event must be an object', path);
    const event = raw as Partial<EventToAppend> & Record<string, unknown>;
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new EventStoreValidationError('an event type must be a non-empty string', `${path}.type`);
    }
    if (event.type.length > LIMITS.eventTypeMaxLength || CONTROL.test(event.type)) {
      throw new EventStoreValidationError(
        `an event type must be at most ${LIMITS.eventTypeMaxLength} printable characters`,
        `${path}.type`,
      );
    }
    if (event.id !== undefined && (typeof event.id !== 'string' || !UUID.test(event.id))) {
      throw new EventStoreValidationError('an event id must be a UUID', `${path}.id`);
    }
    if (!isPlainObject(event.data)) throw new EventStoreValidationError('event data must be a JSON object', `${path}.data`);
    assertJson(event.data, `${path}.data`);
    const metadata = event.metadata ?? {};
    if (!isPlainObject(metadata)) {
      throw new EventStoreValidationError('event metadata must be a JSON object', `${path}.metadata`);
    }
    assertJson(metadata, `${path}.metadata`);
    const data = JSON.stringify(event.data);
    const meta = JSON.stringify(metadata);
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(meta);
    if (bytes > LIMITS.eventMaxBytes) {
      throw new EventStoreValidationError(
        `an event is ${bytes} bytes serialized; the limit is ${LIMITS.eventMaxBytes}`,
        path,
      );
    }
    total += bytes;
    if (total > LIMITS.appendMaxBytes) {
      throw new EventStoreValidationError(`an append may carry at most ${LIMITS.appendMaxBytes} bytes`, 'events');
    }
    return { id: (event.id ?? randomUUID()).toLowerCase(), type: event.type, data, metadata: meta };
  });
}

export function validateReadStream(streamId: unknown, options: ReadStreamOptions): void {
  validateStreamId(streamId);
  if (options.fromRevision !== undefined && !(Number.isSafeInteger(options.fromRevision) && options.fromRevision >= 0)) {
    throw new EventStoreValidationError('must be an integer >= 0', 'fromRevision');
  }
  validateMaxCount(options.maxCount);
  if (options.direction !== undefined && options.direction !== 'forwards' && options.direction !== 'backwards') {
    throw new EventStoreValidationError('must be "forwards" or "backwards"', 'direction');
  }
}

export function validateReadAll(options: ReadAllOptions): void {
  if (options.after !== undefined && (typeof options.after !== 'bigint' || options.after < 0n)) {
    throw new EventStoreValidationError('must be a position (bigint >= 0)', 'after');
  }
  validateMaxCount(options.maxCount);
}

function validateMaxCount(maxCount: unknown): void {
  if (maxCount === undefined) return;
  if (typeof maxCount !== 'number' || !Number.isSafeInteger(maxCount) || maxCount < 1 || maxCount > LIMITS.readMaxCount) {
    throw new EventStoreValidationError(`must be an integer from 1 to ${LIMITS.readMaxCount}`, 'maxCount');
  }
}

/** The subscription filter as a predicate, shared by adapters that filter client-side. */
export function matchesFilter(
  filter: { streamPrefixes?: string[]; eventTypes?: string[] } | undefined,
  streamId: string,
  type: string,
): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes?.length && !filter.streamPrefixes.some((p) => streamId.startsWith(p))) return false;
  if (filter.eventTypes?.length && !filter.eventTypes.includes(type)) return false;
  return true;
}
