import { WrongExpectedVersionError, type ActualRevision } from './event-store.errors.js';
import type { ExpectedRevision } from './event-store.port.js';

/** The expected-revision rule, for adapters that check it themselves: an error, or null when it holds. */
export function checkExpectedRevision(
  streamId: string,
  expected: ExpectedRevision,
  actual: ActualRevision,
): WrongExpectedVersionError | null {
  const holds =
    expected === 'any' ||
    (expected === 'no_stream' && actual === 'no_stream') ||
    (expected === 'stream_exists' && actual !== 'no_stream') ||
    (typeof expected === 'number' && expected === actual);
  return holds ? null : new WrongExpectedVersionError(streamId, expected, actual);
}
