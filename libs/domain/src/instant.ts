import { ValidationError } from './errors';

/**
 * Dates in the domain are ISO-8601 strings. A date-time must carry its offset (Z or ±hh:mm) so it is
 * unambiguous (docs/safety-rules.md §6: time stamps in UTC); a bare date (YYYY-MM-DD) means that day, 00:00 UTC.
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

/**
 * `Date.parse(text)`, exactly, several times faster for the canonical form events carry
 * (YYYY-MM-DDTHH:mm:ss.sssZ, see toIsoUtc): replaying a long stream reads tens of thousands of them.
 * Any other text is left to Date.parse.
 */
export function instantMs(text: string): number {
  if (
    typeof text !== 'string' ||
    text.length !== 24 ||
    text.charCodeAt(23) !== Z ||
    text.charCodeAt(10) !== T ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    text.charCodeAt(19) !== DOT
  ) {
    return Date.parse(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const milli = digits(text, 20, 3);
  // Date.parse's own ranges are wider (day 31 of any month rolls over, 24:00 is midnight next): leave those to it.
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)) return Date.parse(text);
  return daysFromCivil(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + milli;
}

const Z = 90;
const T = 84;
const DASH = 45;
const COLON = 58;
const DOT = 46;
const ZERO = 48;

/** The decimal number of `length` digits from `start`; NaN when one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil); day 31 of a short month rolls over as Date does. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Whole days since 1970-01-01 of the UTC calendar date of an instant: calendar-day arithmetic. */
export const utcDayNumber = (instant: string | Date | number): number => Math.floor(new Date(instant).getTime() / DAY_MS);

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
