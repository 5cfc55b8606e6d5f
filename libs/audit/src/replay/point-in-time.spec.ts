import { ValidationError } from '@vigil/domain';
import { pointInTimeFromQuery } from './point-in-time';

const fieldOf = (query: Record<string, unknown>): string => {
  try {
    pointInTimeFromQuery(query);
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('reading a point in time from the query', () => {
  it('reads times with a zone into UTC, and a version', () => {
    expect(pointInTimeFromQuery({ asOf: '2026-01-13T08:30:00+01:00', asKnownAt: '2026-01-14', atVersion: '3' })).toEqual({
      asOf: '2026-01-13T07:30:00.000Z',
      asKnownAt: '2026-01-14T00:00:00.000Z',
      atVersion: 3,
    });
  });

  it('takes an offset whose + arrived as a space (an unencoded query string)', () => {
    expect(pointInTimeFromQuery({ asOf: '2026-01-13T08:30:00 01:00' })).toEqual({ asOf: '2026-01-13T07:30:00.000Z' });
  });

  it.each([
    [{ asOf: 'yesterday' }, 'asOf'],
    [{ asOf: '2026-01-13T08:30:00' }, 'asOf'],
    [{ asKnownAt: '2026-02-30T00:00:00Z' }, 'asKnownAt'],
    [{ asOf: ['2026-01-01', '2026-01-02'] }, 'asOf'],
    [{ atVersion: '0' }, 'atVersion'],
    [{ atVersion: '2.5' }, 'atVersion'],
    [{ atVersion: '-1' }, 'atVersion'],
    [{ asof: '2026-01-01' }, 'asof'],
  ])('refuses %j naming %s', (query, field) => {
    expect(fieldOf(query)).toBe(field);
  });
});
