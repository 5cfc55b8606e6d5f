import { registerDecorator, ValidationOptions } from 'class-validator';

// ISO-8601 date-time with an explicit zone ("Z" or "+02:00"): a time without its zone is ambiguous,
// and lost time zones are a known audit-trail failure (safety-rules.md §6).
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && ISO_WITH_ZONE.test(value) && !Number.isNaN(Date.parse(value));
}

export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-03-01T08:30:00Z', ...options },
      validator: { validate: isTimestamp },
    });
}

/** The same instant, written in UTC. */
export const toUtc = (timestamp: string): string => new Date(timestamp).toISOString();
