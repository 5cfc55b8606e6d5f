import { registerDecorator, ValidationOptions } from 'class-validator';
import { parseInstant, toIsoUtc } from '@vigil/domain';

// ISO-8601 date-time with an explicit zone ("Z" or "+02:00"): a time without its zone is ambiguous,
// and lost time zones are a known audit-trail failure (docs/safety-rules.md §6). A calendar date alone
// (2026-03-02) is unambiguous and taken as that day at 00:00 UTC.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !(ISO_WITH_ZONE.test(value) || ISO_DATE.test(value))) return false;
  try {
    parseInstant('timestamp', value); // refuses days that do not exist (2024-02-30), which Date would roll into March
    return true;
  } catch {
    return false;
  }
}

export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: 'must be an ISO-8601 date-time with a time zone (e.g. 2026-03-01T08:30:00Z) or a date (2026-03-01)', ...options },
      validator: { validate: isTimestamp },
    });
}

/** The same instant, written in UTC (for a value `isTimestamp` accepted). */
export const toUtc = (timestamp: string): string => toIsoUtc(parseInstant('timestamp', timestamp));
