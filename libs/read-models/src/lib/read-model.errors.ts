/**
 * Bad input to a read-model query (page size, cursor, filter value, time). The code is the one
 * the API layer reports to clients, so it can be passed through without a stack trace.
 */
export class ReadModelQueryError extends Error {
  readonly code = 'BAD_USER_INPUT' as const;

  constructor(message: string) {
    super(message);
    this.name = 'ReadModelQueryError';
  }
}
