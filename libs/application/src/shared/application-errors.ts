import type { ValidationError } from 'class-validator';

/** Input that fails the shape check; `fields` says which field and why. */
export class InputValidationError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(readonly fields: Array<{ field: string; problems: string[] }>) {
    super(
      `Invalid input: ${fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | ')}`,
    );
    this.name = 'InputValidationError';
  }

  static fromValidation(errors: ValidationError[], prefix = ''): InputValidationError {
    const fields: Array<{ field: string; problems: string[] }> = [];
    const walk = (list: ValidationError[], path: string): void => {
      for (const error of list) {
        const field = path ? `${path}.${error.property}` : error.property;
        if (error.constraints) fields.push({ field, problems: Object.values(error.constraints) });
        if (error.children?.length) walk(error.children, field);
      }
    };
    walk(errors, prefix);
    return new InputValidationError(fields);
  }
}

/** The stream kept changing under us: every retry met a concurrent write. */
export class ConcurrencyConflictError extends Error {
  readonly code = 'CONFLICT';
  constructor(
    readonly streamId: string,
    readonly attempts: number,
  ) {
    super(`${streamId} was changed by someone else ${attempts} times while this command ran; reload and try again.`);
    this.name = 'ConcurrencyConflictError';
  }
}
