import fc from 'fast-check';
import { ValidationError } from './errors';
import { addUtcMonths, instantMs, parseInstant, utcDayNumber } from './instant';

describe('parseInstant', () => {
  it('reads a date-time with Z or an offset, and a bare date as 00:00 UTC', () => {
    expect(parseInstant('at', '2024-03-01T10:00:00+02:00').toISOString()).toBe('2024-03-01T08:00:00.000Z');
    expect(parseInstant('at', '2024-03-01T10:00:00.123Z').toISOString()).toBe('2024-03-01T10:00:00.123Z');
    expect(parseInstant('at', '2024-03-01').toISOString()).toBe('2024-03-01T00:00:00.000Z');
  });

  it.each(['2024-03-01T10:00:00', '2024-02-30', '2023-02-29', '2024-03-01T24:00:00Z', '01/03/2024', '', 'now'])('refuses %j, naming the field', (value) => {
    expect(() => parseInstant('collectedAt', value)).toThrow(ValidationError);
    expect(() => parseInstant('collectedAt', value)).toThrow(/^collectedAt: /);
  });

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

describe('instantMs', () => {
  const canonical = fc
    .date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((d) => d.toISOString());

  it('reads any canonical time stamp as Date.parse does', () => {
    fc.assert(
      fc.property(canonical, (text) => expect(instantMs(text)).toBe(Date.parse(text))),
      { numRuns: 2000 },
    );
  });

  it('reads anything else as Date.parse does: rolled-over days, 24:00, offsets, damaged text', () => {
    const damaged = fc
      .tuple(canonical, fc.nat(23), fc.constantFrom('0', '9', '3', '-', ':', 'T', 'Z', '.', ' ', 'x', '+'))
      .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));
    fc.assert(
      fc.property(damaged, (text) => expect(instantMs(text)).toBe(Date.parse(text))),
      { numRuns: 3000 },
    );
    for (const text of [
      '2024-02-30T00:00:00.000Z',
      '2023-02-29T10:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T23:60:00.000Z',
      '2024-13-01T00:00:00.000Z',
      '2024-00-10T00:00:00.000Z',
      '2024-01-00T00:00:00.000Z',
      '2024-03-01T10:00:00+02:00',
      '2024-03-01T10:00:00Z',
      '2024-03-01',
      '+002024-01-01T00:00:00.000Z',
      'now',
      '',
    ]) {
      expect(instantMs(text)).toEqual(Date.parse(text));
    }
  });
});
