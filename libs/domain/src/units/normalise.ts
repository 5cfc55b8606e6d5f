import { ValidationError } from '../errors';
import type { LabTestCode, NormalisedValue, ReferenceRange } from '../events';
import { LAB_TESTS, LAB_TEST_CODES, resolveLabTest, type LabTest } from './lab-tests';
import { roundSignificant } from './significant';

/**
 * Converts a reported lab value (and its reference range) into the test's canonical unit.
 * This happens once, at the edge of the domain (docs/architecture.md); nothing downstream converts again.
 * Refuses, never guesses (docs/safety-rules.md §3): an unknown test or unit, a negative or non-finite value,
 * or a value above the test's physiological bound (see lab-tests.ts) is a ValidationError.
 */
export function normaliseLabValue(test: string, value: number, unit: string, referenceRange?: ReferenceRange): NormalisedValue {
  const lab = labTest(test);
  const factor = unitFactor(lab, unit);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError('value', 'must be a finite number');
  if (value < 0) throw new ValidationError('value', `a ${lab.name} value cannot be negative`);
  const canonical = roundSignificant(value * factor);
  if (canonical > lab.maxCanonical) {
    throw new ValidationError(
      'value',
      `${value} ${unit} is ${canonical} ${lab.canonicalUnit}, ` +
        `above the physiological maximum of ${lab.maxCanonical} ${lab.canonicalUnit} for ${lab.name}: check the unit`,
    );
  }
  const normalised: NormalisedValue = { value: canonical, unit: lab.canonicalUnit };
  if (referenceRange !== undefined && referenceRange !== null) {
    const range = convertRange(referenceRange, factor);
    if (range.low !== undefined || range.high !== undefined) normalised.referenceRange = range;
  }
  return normalised;
}

/** The inverse of normaliseLabValue: a canonical value expressed in one of the test's accepted units. */
export function toReportedUnit(test: string, canonicalValue: number, unit: string): number {
  const lab = labTest(test);
  return roundSignificant(canonicalValue / unitFactor(lab, unit));
}

/** The test a code names: its CDISC code or one of its LOINC codes (docs/safety-rules.md §4). */
function labTest(test: string): LabTest {
  const resolved = typeof test === 'string' ? resolveLabTest(test) : undefined;
  if (!resolved) {
    throw new ValidationError('test', `unknown lab test "${String(test)}"; known tests (CDISC code or LOINC code): ${LAB_TEST_CODES.join(', ')}`);
  }
  return LAB_TESTS[resolved.test as LabTestCode];
}

function unitFactor(lab: LabTest, unit: string): number {
  const factor = typeof unit === 'string' && Object.prototype.hasOwnProperty.call(lab.units, unit) ? lab.units[unit] : undefined;
  if (factor === undefined) {
    throw new ValidationError('unit', `unit "${String(unit)}" is not accepted for ${lab.code}; accepted UCUM units: ${Object.keys(lab.units).join(', ')}`);
  }
  return factor;
}

function convertRange(range: ReferenceRange, factor: number): ReferenceRange {
  const out: ReferenceRange = {};
  for (const bound of ['low', 'high'] as const) {
    const v = range[bound];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ValidationError('referenceRange', `${bound} must be a finite number ≥ 0`);
    }
    out[bound] = roundSignificant(v * factor);
  }
  if (out.low !== undefined && out.high !== undefined && out.low > out.high) {
    throw new ValidationError('referenceRange', 'low is above high');
  }
  return out;
}
