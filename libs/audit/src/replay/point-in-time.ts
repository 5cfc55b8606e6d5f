import { parseInstant, ValidationError } from '@vigil/domain';

/**
 * Which past a replay shows. Each bound is optional; given together they all hold:
 * - `asOf`: clinically, at that time: events whose clinical time (`metadata.occurredAt`) is at or before it;
 * - `asKnownAt`: as Vigil knew it then: events recorded (`metadata.recordedAt`) at or before it;
 * - `atVersion`: the patient's stream folded up to that version, to step through it event by event.
 */
export interface PointInTime {
  asOf?: string;
  asKnownAt?: string;
  atVersion?: number;
}

const PARAMETERS = ['asOf', 'asKnownAt', 'atVersion'] as const;

/** Reads a point in time from query parameters; anything malformed is a ValidationError naming the parameter. */
export function pointInTimeFromQuery(query: Record<string, unknown>): PointInTime {
  for (const key of Object.keys(query)) {
    if (!(PARAMETERS as readonly string[]).includes(key)) {
      throw new ValidationError(key, `is not a replay parameter (use ${PARAMETERS.join(', ')})`);
    }
  }
  const pit: PointInTime = {};
  for (const field of ['asOf', 'asKnownAt'] as const) {
    const value = instantParameter(query[field], field);
    if (value !== undefined) pit[field] = parseInstant(field, value).toISOString();
  }
  const version = singleParameter(query.atVersion, 'atVersion');
  if (version !== undefined) {
    if (!/^\d{1,15}$/.test(version) || Number(version) < 1) {
      throw new ValidationError('atVersion', `must be a stream version, a whole number ≥ 1, not "${version}"`);
    }
    pit.atVersion = Number(version);
  }
  return pit;
}

/** A query parameter given at most once, as its text; given twice (an array) is a ValidationError naming it. */
export function singleParameter(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be given once');
  return value;
}

function instantParameter(value: unknown, field: string): string | undefined {
  // An unencoded "+02:00" arrives as " 02:00" (a + in a query string is a space): take it as meant.
  return singleParameter(value, field)?.replace(/ (\d{2}:?\d{2})$/, '+$1');
}
