import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { InputValidationError } from './application-errors.js';

/**
 * The shape check of a command's input against its class-validator DTO: unknown fields are
 * refused (not silently dropped), and the first problem of each field is reported by name.
 */
export function validateInput<T extends object>(type: ClassConstructor<T>, input: unknown): T {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputValidationError([{ field: 'input', problems: ['must be an object'] }]);
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
