import { BadRequestException, ValidationError as ClassValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldError {
  field: string;
  reason: string;
}

/** Flattens class-validator errors into `{field, reason}` pairs with dotted paths (`referenceRange.low`). */
export function fieldErrors(errors: ClassValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ field, reason }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

export function badRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
    errors,
  });
}

/** Malformed input is refused with 400 naming each field and reason; unknown fields are refused too. */
export function vigilValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badRequest(fieldErrors(errors)),
  });
}
