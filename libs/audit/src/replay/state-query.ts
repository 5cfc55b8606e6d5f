import { ValidationError } from '@vigil/domain';
import { pointInTimeFromQuery, singleParameter, type PointInTime } from './point-in-time';

/** How `GET /patients/:patientId/state` answers: the state as a summary (default), or every record at once (exports). */
export type StateView = 'summary' | 'full';
export const STATE_VIEWS: readonly StateView[] = ['summary', 'full'];

/** Records on one page when `limit` is not given, and at most. */
export const RECORD_PAGE_DEFAULT = 50;
export const RECORD_PAGE_MAX = 500;

/** A page of the records behind a summary: after `cursor` (opaque, from the previous page), at most `limit`. */
export interface RecordPageRequest {
  limit: number;
  cursor?: RecordCursor;
}

/** Where a page of records ends: records are listed in clinical-time order, ties by recording order. */
export interface RecordCursor {
  time: number;
  seq: number;
}

export interface StateQuery {
  pointInTime: PointInTime;
  view: StateView;
  /** With the summary: a page of the records behind it (`include=records`). */
  records?: RecordPageRequest;
}

const PAGING = ['include', 'limit', 'cursor'] as const;

/**
 * Reads `GET /patients/:patientId/state`'s query: the point in time (asOf, asKnownAt, atVersion), `view`,
 * and for the summary `include=records` with `limit` and `cursor`. Anything malformed is a ValidationError
 * naming the parameter.
 */
export function stateQueryFromQuery(query: Record<string, unknown>): StateQuery {
  const { view: viewValue, include, limit, cursor, ...rest } = query;
  const view = viewOf(singleParameter(viewValue, 'view'));
  const pointInTime = pointInTimeFromQuery(rest);
  if (view === 'full') {
    for (const field of PAGING) {
      if (query[field] !== undefined) throw new ValidationError(field, 'pages the records of the summary; view=full answers every record at once');
    }
    return { pointInTime, view };
  }
  const includeValue = singleParameter(include, 'include');
  if (includeValue === undefined) {
    for (const field of ['limit', 'cursor'] as const) {
      if (query[field] !== undefined) throw new ValidationError(field, 'pages the records: give include=records with it');
    }
    return { pointInTime, view };
  }
  if (includeValue !== 'records') throw new ValidationError('include', `must be records, not "${includeValue}"`);
  return { pointInTime, view, records: { limit: limitOf(singleParameter(limit, 'limit')), ...cursorOf(singleParameter(cursor, 'cursor')) } };
}

function viewOf(value: string | undefined): StateView {
  if (value === undefined) return 'summary';
  if (!(STATE_VIEWS as readonly string[]).includes(value)) throw new ValidationError('view', `must be ${STATE_VIEWS.join(' or ')}, not "${value}"`);
  return value as StateView;
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return RECORD_PAGE_DEFAULT;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > RECORD_PAGE_MAX) {
    throw new ValidationError('limit', `must be a whole number from 1 to ${RECORD_PAGE_MAX}, not "${value}"`);
  }
  return Number(value);
}

/** The cursor a page hands out: base64url of `<clinical time ms>.<recording seq>`. */
export function encodeRecordCursor(cursor: RecordCursor): string {
  return Buffer.from(`${cursor.time}.${cursor.seq}`, 'utf8').toString('base64url');
}

function cursorOf(value: string | undefined): { cursor?: RecordCursor } {
  if (value === undefined) return {};
  const text = /^[A-Za-z0-9_-]{1,64}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  const match = /^(-?\d{1,16})\.(\d{1,15})$/.exec(text);
  if (!match) throw new ValidationError('cursor', 'is not a cursor this endpoint handed out (take nextCursor from the previous page)');
  return { cursor: { time: Number(match[1]), seq: Number(match[2]) } };
}
