import { ValidationError } from '@vigil/domain';
import { CHECKPOINT_PAGE_MAX } from '@vigil/event-store';

/** A page of checkpoints: those with a tree size above `after`, at most `limit`. */
export interface CheckpointPage {
  after: number;
  limit: number;
}

const PARAMETERS = ['after', 'limit'] as const;

/** `GET /audit/checkpoints?after=&limit=`; anything malformed is a ValidationError naming the parameter. */
export function checkpointPageFromQuery(query: Record<string, unknown>): CheckpointPage {
  for (const key of Object.keys(query)) {
    if (!(PARAMETERS as readonly string[]).includes(key)) throw new ValidationError(key, `is not a checkpoint parameter (use ${PARAMETERS.join(', ')})`);
  }
  return {
    after: wholeNumber(query.after, 'after', 0, 0, 'a tree size, a whole number ≥ 0'),
    limit: wholeNumber(query.limit, 'limit', 100, 1, `1 to ${CHECKPOINT_PAGE_MAX}`),
  };
}

function wholeNumber(value: unknown, field: string, fallback: number, min: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be given once');
  if (!/^\d{1,15}$/.test(value) || Number(value) < min || (field === 'limit' && Number(value) > CHECKPOINT_PAGE_MAX)) {
    throw new ValidationError(field, `must be ${what}, not "${value.slice(0, 40)}"`);
  }
  return Number(value);
}
