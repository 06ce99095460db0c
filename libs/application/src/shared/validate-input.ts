import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InputValidationError } from './application-errors.js';

/** With the `u` flag a surrogate class matches only unpaired halves (a pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The shape check of a command's input against its class-validator DTO: unknown fields are
 * refused (not silently dropped), and the first problem of each field is reported by name.
 */
export function validateInput<T extends object>(type: ClassConstructor<T>, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputValidationError([{ field: 'input', problems: ['must be an object'] }]);
  }
  // Text with a lone UTF-16 surrogate is not Unicode: it passed every length check, then made
  // the audit hash chain's canonical JSON throw (an internal error for the caller; found by the
  // hostile-input test). Refused here, by field, like any other malformed input.
  const malformed = Object.entries(input).filter(([, value]) => typeof value === 'string' && LONE_SURROGATE.test(value));
  if (malformed.length > 0) {
    throw new InputValidationError(malformed.map(([field]) => ({ field, problems: [`${field} must be well-formed Unicode text (it holds a lone surrogate)`] })));
  }
  const instance = plainToInstance(type, input, { enableImplicitConversion: false });
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
  });
  if (errors.length > 0) throw InputValidationError.fromValidation(errors);
  return instance;
}
