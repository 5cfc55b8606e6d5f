import { ValidationError } from './errors';
import { addUtcMonths, parseInstant, utcDayNumber } from './instant';

describe('parseInstant', () => {
  it('reads a date-time with Z or an offset, and a bare date as 00:00 UTC', () => {
    expect(parseInstant('at', '2024-03-01T10:00:00+02:00').toISOString()).toBe('2024-03-01T08:00:00.000Z');
    expect(parseInstant('at', '2024-03-01T10:00:00.123Z').toISOString()).toBe('2024-03-01T10:00:00.123Z');
    expect(parseInstant('at', '2024-03-01').toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it.each(['2024-03-01T10:00:00', '2024-02-30', '2023-02-29', '2024-03-01T24:00:00Z', '01/03/2024', '', 'now'])(
    'refuses %j, naming the field',
    (value) => {
      expect(() => parseInstant('collectedAt', value)).toThrow(ValidationError);
      expect(() => parseInstant('collectedAt', value)).toThrow(/^collectedAt: /);
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(parseInstant('at', '2024-02-29').toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('calendar arithmetic in UTC', () => {
  it('adds months, clamping to the end of a shorter month', () => {
    expect(addUtcMonths('2024-01-15T09:00:00Z', 6).toISOString()).toBe('2024-07-15T09:00:00.000Z');
    expect(addUtcMonths('2024-08-31T09:00:00Z', 6).toISOString()).toBe('2025-02-28T09:00:00.000Z');
  });

  it('numbers calendar days so two times on one UTC day share a number', () => {
    expect(utcDayNumber('2024-01-01T00:00:00Z')).toBe(utcDayNumber('2024-01-01T23:59:59.999Z'));
    expect(utcDayNumber('2024-01-02T00:00:00Z') - utcDayNumber('2024-01-01T23:59:59Z')).toBe(1);
  });
});
