import fc from 'fast-check';
import { ValidationError } from '../errors';
import type { LabTestCode } from '../events';
import { LAB_TESTS, LAB_TEST_CODES, acceptedUnits } from './lab-tests';
import { normaliseLabValue, toReportedUnit } from './normalise';

const validationErrorOf = (f: () => unknown): ValidationError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
};

describe('normaliseLabValue', () => {
  it.each([
    ['/mm3', 79000, 79],
    ['/uL', 79000, 79],
    ['10*3/uL', 79, 79],
    ['10*3/mm3', 79, 79],
    ['10*9/L', 79, 79],
    ['/mm3', 2000, 2],
    ['/mm3', 600, 0.6],
  ])('turns platelets of %s %s into exactly %s × 10⁹/L', (unit, value, expected) => {
    expect(normaliseLabValue('PLAT', value, unit)).toEqual({ value: expected, unit: '10*9/L' });
  });

  it('converts haemoglobin g/dL × 10 without floating-point residue', () => {
    expect(normaliseLabValue('HGB', 1.1, 'g/dL').value).toBe(11);
    expect(normaliseLabValue('HGB', 13.3, 'g/dL').value).toBe(133);
  });

  it('converts creatinine mg/dL × 88.4, bilirubin × 17.1 and CRP × 10', () => {
    expect(normaliseLabValue('CREAT', 1, 'mg/dL')).toEqual({ value: 88.4, unit: 'umol/L' });
    expect(normaliseLabValue('CREAT', 1.3, 'mg/dL').value).toBe(114.92);
    expect(normaliseLabValue('BILI', 1.2, 'mg/dL')).toEqual({ value: 20.52, unit: 'umol/L' });
    expect(normaliseLabValue('CRP', 0.5, 'mg/dL')).toEqual({ value: 5, unit: 'mg/L' });
  });

  it('takes [IU]/L as U/L for transaminases', () => {
    expect(normaliseLabValue('ALT', 40, '[IU]/L')).toEqual({ value: 40, unit: 'U/L' });
  });

  it('converts the reference range with the value', () => {
    expect(normaliseLabValue('PLAT', 79000, '/mm3', { low: 150000, high: 400000 })).toEqual({
      value: 79,
      unit: '10*9/L',
      referenceRange: { low: 150, high: 400 },
    });
    expect(normaliseLabValue('HGB', 12, 'g/dL', { low: 12 }).referenceRange).toEqual({ low: 120 });
  });

  it('refuses a unit not accepted for the test, naming the accepted units', () => {
    const error = validationErrorOf(() => normaliseLabValue('PLAT', 79, 'g/L'));
    expect(error.field).toBe('unit');
    expect(error.reason).toContain('10*9/L, 10*3/uL, 10*3/mm3, /mm3, /uL');
  });

  it('refuses a unit in the wrong case rather than guessing', () => {
    expect(validationErrorOf(() => normaliseLabValue('HGB', 12, 'g/dl')).field).toBe('unit');
  });

  it('refuses an unknown test', () => {
    expect(validationErrorOf(() => normaliseLabValue('FOO', 1, 'U/L')).field).toBe('test');
  });

  it.each([-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY])('refuses the impossible value %s', (value) => {
    expect(validationErrorOf(() => normaliseLabValue('WBC', value, '10*9/L')).field).toBe('value');
  });

  it('accepts platelets of exactly 5 000 × 10⁹/L and refuses 5 000.1', () => {
    expect(normaliseLabValue('PLAT', 5000, '10*9/L').value).toBe(5000);
    expect(validationErrorOf(() => normaliseLabValue('PLAT', 5000.1, '10*9/L')).field).toBe('value');
  });

  it('refuses 79 000 platelets keyed in 10*9/L instead of /mm3', () => {
    expect(validationErrorOf(() => normaliseLabValue('PLAT', 79000, '10*9/L')).reason).toMatch(/check the unit/);
  });

  it('refuses a Treg percentage above 100', () => {
    expect(normaliseLabValue('TREG_PCT', 100, '%').value).toBe(100);
    expect(validationErrorOf(() => normaliseLabValue('TREG_PCT', 100.5, '%')).field).toBe('value');
  });

  it('accepts a count of zero', () => {
    expect(normaliseLabValue('EOS', 0, '/mm3').value).toBe(0);
  });

  it('refuses a reference range with low above high, or negative bounds', () => {
    expect(validationErrorOf(() => normaliseLabValue('ALT', 40, 'U/L', { low: 50, high: 10 })).field).toBe('referenceRange');
    expect(validationErrorOf(() => normaliseLabValue('ALT', 40, 'U/L', { high: -1 })).field).toBe('referenceRange');
  });
});

describe('toReportedUnit', () => {
  it('expresses a canonical value back in the reported unit', () => {
    expect(toReportedUnit('PLAT', 79, '/mm3')).toBe(79000);
    expect(toReportedUnit('HGB', 133, 'g/dL')).toBe(13.3);
    expect(toReportedUnit('CREAT', 88.4, 'mg/dL')).toBe(1);
  });

  it('refuses a unit not accepted for the test', () => {
    expect(validationErrorOf(() => toReportedUnit('CRP', 5, '/mm3')).field).toBe('unit');
  });
});

describe('lab tests', () => {
  it('lists the accepted units of a test, canonical first, and none for an unknown test', () => {
    expect(acceptedUnits('HGB')).toEqual(['g/L', 'g/dL', 'mmol/L']);
    expect(acceptedUnits('NOPE')).toEqual([]);
  });

  it('accepts G/L, as French lab reports write 10⁹/L, for every cell count (issue 11)', () => {
    for (const test of ['WBC', 'LYM', 'NEUT', 'EOS', 'PLAT', 'CD4']) expect(normaliseLabValue(test, 0.55, 'G/L')).toEqual({ value: 0.55, unit: '10*9/L' });
    expect(() => normaliseLabValue('ALT', 40, 'G/L')).toThrow(expect.objectContaining({ field: 'unit' }));
  });

  it('converts haemoglobin in mmol/L at 16.11 g/L per mmol/L (issue 11)', () => {
    expect(normaliseLabValue('HGB', 6.2, 'mmol/L', { low: 7.5, high: 10 })).toEqual({
      value: 99.882,
      unit: 'g/L',
      referenceRange: { low: 120.825, high: 161.1 },
    });
  });

  it('takes a LOINC code for the test, and refuses one it does not know, naming the field', () => {
    expect(normaliseLabValue('777-3', 79000, '/mm3')).toEqual({ value: 79, unit: '10*9/L' });
    expect(normaliseLabValue('2160-0', 1.5, 'mg/dL').value).toBeCloseTo(132.6, 6);
    expect(() => normaliseLabValue('9999-9', 1, 'U/L')).toThrow(expect.objectContaining({ field: 'test' }));
  });

  it('carries the LOINC codes of docs/safety-rules.md §4', () => {
    expect(LAB_TESTS.PLAT.loinc).toBe('777-3');
    expect(LAB_TESTS.WBC.loinc).toBe('6690-2');
    expect(LAB_TESTS.CREAT.otherLoinc).toContain('2160-0');
    expect(LAB_TESTS.TREG_PCT.loinc).toBeNull();
  });
});

const testAndUnit = fc
  .constantFrom(...LAB_TEST_CODES)
  .chain((test) => fc.record({ test: fc.constant(test as LabTestCode), unit: fc.constantFrom(...acceptedUnits(test)) }));

describe('unit round trip (property)', () => {
  it('normalising then expressing back in the reported unit returns the value within 1e-9 relative', () => {
    fc.assert(
      fc.property(testAndUnit, fc.double({ min: 0, max: 1, noNaN: true }), ({ test, unit }, fraction) => {
        // A value anywhere in the physiological range of the test, expressed in `unit`.
        const value = (LAB_TESTS[test].maxCanonical / LAB_TESTS[test].units[unit]) * fraction;
        const back = toReportedUnit(test, normaliseLabValue(test, value, unit).value, unit);
        expect(Math.abs(back - value)).toBeLessThanOrEqual(1e-9 * Math.abs(value));
      }),
      { numRuns: 2000 },
    );
  });
});
