import { ValidationError } from './errors';

/**
 * Dates in the domain are ISO-8601 strings. A date-time must carry its offset (Z or ±hh:mm) so it is
 * unambiguous (safety-rules.md §6: time stamps in UTC); a bare date (YYYY-MM-DD) means that day, 00:00 UTC.
 */
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

export const DAY_MS = 86_400_000;

/** Parses an ISO-8601 date or date-time with offset; anything else is a ValidationError on `field`. */
export function parseInstant(field: string, value: unknown): Date {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be an ISO-8601 date-time string');
  const m = ISO_8601.exec(value);
  if (!m) {
    throw new ValidationError(field, `"${value}" is not an ISO-8601 date (YYYY-MM-DD) or date-time with an offset (Z or ±hh:mm)`);
  }
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(value);
  // Date accepts 2024-02-30 (rolling into March) and 24:00: check each part is a real calendar value.
  const monthOk = Number(mo) >= 1 && Number(mo) <= 12;
  const dayOk = Number(d) >= 1 && Number(d) <= daysInMonth(Number(y), Number(mo));
  const timeOk = (h === undefined || Number(h) <= 23) && (mi === undefined || Number(mi) <= 59) && (s === undefined || Number(s) <= 59);
  if (Number.isNaN(date.getTime()) || !monthOk || !dayOk || !timeOk) {
    throw new ValidationError(field, `"${value}" is not a real calendar date-time`);
  }
  return date;
}

/** The canonical form stored in events: UTC, millisecond precision. */
export const toIsoUtc = (date: Date): string => date.toISOString();

/** Whole days since 1970-01-01 of the UTC calendar date of an instant: calendar-day arithmetic. */
export const utcDayNumber = (instant: string | Date | number): number =>
  Math.floor(new Date(instant).getTime() / DAY_MS);

export const addDays = (instant: string | Date, days: number): Date => new Date(new Date(instant).getTime() + days * DAY_MS);

/** Adds calendar months in UTC, clamping to the month's last day (31 Aug + 6 months = 28/29 Feb). */
export function addUtcMonths(instant: string | Date, months: number): Date {
  const d = new Date(instant);
  const target = new Date(d.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(d.getUTCMonth() + months);
  target.setUTCDate(Math.min(d.getUTCDate(), daysInMonth(target.getUTCFullYear(), target.getUTCMonth() + 1)));
  return target;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
