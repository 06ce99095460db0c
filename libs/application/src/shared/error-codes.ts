import { DomainError } from '@tracedesk/domain';
import { EventStoreValidationError, EventStoreUnavailableError } from '@tracedesk/event-store';
import { ReadModelQueryError } from '@tracedesk/read-models';
import { ConcurrencyConflictError, InputValidationError } from './application-errors.js';

export type ApiErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RULE_VIOLATION'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export interface ApiError {
  code: ApiErrorCode;
  message: string;
  /** Extra machine-readable detail: the rule broken, the fields at fault. */
  details?: Record<string, unknown>;
}

/**
 * The one place where errors become API codes. Anything not recognised is internal: its
 * message is not shown to clients (it may carry paths, SQL or stack details).
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof DomainError) return { code: error.code, message: error.message, details: { rule: error.rule } };
  if (error instanceof InputValidationError) return { code: 'BAD_USER_INPUT', message: error.message, details: { fields: error.fields } };
  if (error instanceof ConcurrencyConflictError) return { code: 'CONFLICT', message: error.message };
  if (error instanceof ReadModelQueryError) return { code: 'BAD_USER_INPUT', message: error.message };
  if (error instanceof EventStoreValidationError) return { code: 'BAD_USER_INPUT', message: error.message, details: { field: error.path } };
  if (error instanceof EventStoreUnavailableError) {
    return { code: 'SERVICE_UNAVAILABLE', message: 'The event store is unavailable; try again shortly.' };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on our side; it has been logged.' };
}
