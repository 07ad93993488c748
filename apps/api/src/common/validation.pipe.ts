import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { badRequest } from './api-errors';

/** The first constraint that failed, as `field: message` with a dotted path for nested fields. */
export function firstValidationMessage(errors: ValidationError[], parent = ''): string {
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const constraints = Object.values(error.constraints ?? {});
    if (constraints.length) {
      const message = constraints[0];
      // class-validator messages start with the property name already.
      return message.startsWith(error.property) ? (parent ? `${parent}.${message}` : message) : `${path}: ${message}`;
    }
    if (error.children?.length) {
      const nested = firstValidationMessage(error.children, path);
      if (nested) return nested;
    }
  }
  return 'invalid request body';
}

/**
 * DTO validation for every route: unknown fields are dropped (as upstream ignores them), wrong types and values give
 * 400 `{"error": "<field> ..."}`.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badRequest(firstValidationMessage(errors)),
  });
}
