import { badRequest } from './validation';

/** The patient's stream version is its ETag: `"7"`. Accepts `7`, `"7"` and `W/"7"`. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '' || header === '*') return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw badRequest([{ field: 'If-Match', reason: 'must be the ETag of the record (its version, e.g. "3")' }]);
  return Number(match[1]);
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw badRequest([{ field: 'Idempotency-Key', reason: 'must be 8–128 characters of letters, digits, ".", "_", ":" or "-" (a UUID works)' }]);
  }
  return header;
}
