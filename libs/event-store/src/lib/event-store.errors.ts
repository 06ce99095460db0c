import type { ExpectedRevision } from './event-store.port.js';

/** Base of every error the store raises on purpose; `code` is stable and machine-readable. */
export abstract class EventStoreError extends Error {
  abstract readonly code: string;
}

export type ActualRevision = number | 'no_stream';

export class WrongExpectedVersionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(`Stream "${streamId}": expected revision ${String(expected)}, but it is at ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export class StreamNotFoundError extends EventStoreError {
  readonly code = 'STREAM_NOT_FOUND';
  constructor(readonly streamId: string) {
    super(`Stream "${streamId}" does not exist`);
    this.name = 'StreamNotFoundError';
  }
}

/** Bad input to the store: nothing was written. `path` names the offending field. */
export class EventStoreValidationError extends EventStoreError {
  readonly code = 'INVALID_EVENT_STORE_INPUT';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'EventStoreValidationError';
  }
}

/** The store cannot be reached or was closed; the operation may be retried later. */
export class EventStoreUnavailableError extends EventStoreError {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}
