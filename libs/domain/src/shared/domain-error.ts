/**
 * A command the domain refuses. `code` is the API error code (mapped once, at the edge);
 * `rule` names the rule, for clients and logs; the message says what to do instead.
 */
export type DomainErrorCode = 'RULE_VIOLATION' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const ruleViolation = (rule: string, message: string): DomainError => new DomainError('RULE_VIOLATION', rule, message);
export const forbidden = (rule: string, message: string): DomainError => new DomainError('FORBIDDEN', rule, message);
export const notFound = (rule: string, message: string): DomainError => new DomainError('NOT_FOUND', rule, message);
export const badInput = (rule: string, message: string): DomainError => new DomainError('BAD_USER_INPUT', rule, message);

/** Required free text (reasons, bodies): refuses blank strings the shape check may let through. */
export function requireText(value: string | undefined, field: string): string {
  const text = value?.trim() ?? '';
  if (text.length === 0) throw ruleViolation(`${field.toUpperCase()}_REQUIRED`, `A ${field} is required.`);
  return text;
}
