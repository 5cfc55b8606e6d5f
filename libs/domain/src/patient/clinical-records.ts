import { ValidationError } from '../errors';
import type {
  AdverseEventOutcome,
  AdverseEventReportedData,
  DoseAdministeredData,
  LabResultRecordedData,
  ReferenceRange,
  Relatedness,
  SeriousnessCriterion,
  TreatmentStatus,
} from '../events';
import { parseInstant, toIsoUtc } from '../instant';
import { normaliseLabValue } from '../units/normalise';
import { resolveLabTest } from '../units/lab-tests';
import type { LabTestCode } from '../events';
import { DEFAULT_MAX_CLOCK_SKEW_MS, type DecideContext } from './commands';

/**
 * Validation and shaping of the clinical records, shared by "record" and "correct" commands so that a
 * correction is held to exactly the rules of the first recording.
 */

export interface PatientFacts {
  patientId: string;
  birthYear: number;
}

export const SERIOUSNESS_CRITERIA: readonly SeriousnessCriterion[] = [
  'death',
  'life-threatening',
  'hospitalisation',
  'disability',
  'congenital-anomaly',
  'medically-important',
];
export const RELATEDNESS: readonly Relatedness[] = ['not-related', 'unlikely', 'possible', 'probable', 'definite'];
export const TREATMENT_STATUSES: readonly TreatmentStatus[] = ['on-treatment', 'suspended', 'discontinued', 'completed', 'withdrawn'];
export const AE_OUTCOMES: readonly AdverseEventOutcome[] = ['recovered', 'recovering', 'not-recovered', 'recovered-with-sequelae', 'fatal', 'unknown'];

/** A clinical date: valid, not in the future beyond the clock skew, not before the patient's birth year. */
export function clinicalInstant(field: string, value: unknown, ctx: DecideContext, birthYear?: number): string {
  const date = parseInstant(field, value);
  const skew = ctx.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
  if (date.getTime() > ctx.now.getTime() + skew) {
    throw new ValidationError(field, `${String(value)} is in the future (now is ${ctx.now.toISOString()})`);
  }
  if (birthYear !== undefined && date.getUTCFullYear() < birthYear) {
    throw new ValidationError(field, `${String(value)} is before the patient's birth year ${birthYear}`);
  }
  return toIsoUtc(date);
}

/** Text as the user wrote it (never rewritten: the record keeps what was entered), but not blank. */
export function nonEmptyText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty text');
  return value;
}

export interface DoseInput {
  dose: unknown;
  unit: unknown;
  route: unknown;
  administeredAt: unknown;
  lot?: unknown;
}

/**
 * Dose, unit and route other than the protocol's are recorded as given (docs/protocol.md: what happened must
 * always be recordable) and flagged later by assessDose; only an impossible amount is refused.
 */
export function doseRecord(patient: PatientFacts, input: DoseInput, ctx: DecideContext): DoseAdministeredData {
  if (typeof input.dose !== 'number' || !Number.isFinite(input.dose) || input.dose <= 0) {
    throw new ValidationError('dose', 'must be a finite number above 0');
  }
  const data: DoseAdministeredData = {
    patientId: patient.patientId,
    dose: input.dose,
    unit: nonEmptyText('unit', input.unit),
    route: nonEmptyText('route', input.route),
    administeredAt: clinicalInstant('administeredAt', input.administeredAt, ctx, patient.birthYear),
  };
  if (input.lot !== undefined && input.lot !== null) data.lot = nonEmptyText('lot', input.lot);
  return data;
}

export interface LabInput {
  test: unknown;
  value: unknown;
  unit: unknown;
  collectedAt: unknown;
  referenceRange?: unknown;
  studyDay?: unknown;
}

/** A lab result may precede enrolment (the baseline often does), never the patient's birth year. */
export function labRecord(patient: PatientFacts, input: LabInput, ctx: DecideContext): LabResultRecordedData {
  const range = input.referenceRange;
  if (range !== undefined && range !== null && (typeof range !== 'object' || Array.isArray(range))) {
    throw new ValidationError('referenceRange', 'must be an object {low?, high?}');
  }
  const normalised = normaliseLabValue(input.test as string, input.value as number, input.unit as string, (range ?? undefined) as ReferenceRange | undefined);
  // normaliseLabValue refused an unknown code: the test is a CDISC code or a LOINC code Vigil knows.
  const code = resolveLabTest(input.test as string) as { test: LabTestCode; loinc: string | null };
  const data: LabResultRecordedData = {
    patientId: patient.patientId,
    test: code.test,
    ...(code.loinc ? { loinc: code.loinc } : {}),
    ...(input.test !== code.test ? { reportedTest: input.test as string } : {}),
    value: input.value as number,
    unit: input.unit as string,
    collectedAt: clinicalInstant('collectedAt', input.collectedAt, ctx, patient.birthYear),
    normalised,
  };
  if (range !== undefined && range !== null) {
    const { low, high } = range as ReferenceRange;
    const reported: ReferenceRange = {};
    if (low !== undefined && low !== null) reported.low = low;
    if (high !== undefined && high !== null) reported.high = high;
    if (reported.low !== undefined || reported.high !== undefined) data.referenceRange = reported;
  }
  if (input.studyDay !== undefined && input.studyDay !== null) {
    if (typeof input.studyDay !== 'number' || !Number.isInteger(input.studyDay)) {
      throw new ValidationError('studyDay', 'must be a whole number of days');
    }
    data.studyDay = input.studyDay;
  }
  return data;
}

export interface AdverseEventInput {
  term: unknown;
  onsetAt: unknown;
  awareAt?: unknown;
  grade: unknown;
  serious: unknown;
  seriousnessCriteria?: unknown;
  relatedness?: unknown;
  outcome?: unknown;
}

/** docs/safety-rules.md §5: seriousness (criteria) is not severity (grade); both are checked on their own. */
export function adverseEventRecord(patient: PatientFacts, input: AdverseEventInput, ctx: DecideContext): AdverseEventReportedData {
  const term = nonEmptyText('term', input.term);
  const onsetAt = clinicalInstant('onsetAt', input.onsetAt, ctx, patient.birthYear);
  const awareAt = input.awareAt === undefined || input.awareAt === null ? undefined : clinicalInstant('awareAt', input.awareAt, ctx, patient.birthYear);
  if (awareAt !== undefined && Date.parse(awareAt) < Date.parse(onsetAt)) {
    throw new ValidationError('awareAt', `${String(input.awareAt)} is before the onset ${onsetAt}: the investigator cannot learn of an event before it began`);
  }
  if (typeof input.grade !== 'number' || !Number.isInteger(input.grade) || input.grade < 1 || input.grade > 5) {
    throw new ValidationError('grade', 'must be a CTCAE grade, a whole number from 1 to 5');
  }
  if (typeof input.serious !== 'boolean') throw new ValidationError('serious', 'must be true or false');
  const criteria = input.seriousnessCriteria ?? [];
  if (!Array.isArray(criteria) || criteria.some((c) => !SERIOUSNESS_CRITERIA.includes(c as SeriousnessCriterion))) {
    throw new ValidationError('seriousnessCriteria', `must be a list of: ${SERIOUSNESS_CRITERIA.join(', ')}`);
  }
  if (input.serious && criteria.length === 0) {
    throw new ValidationError('seriousnessCriteria', 'a serious adverse event needs at least one seriousness criterion');
  }
  if (!input.serious && criteria.length > 0) {
    throw new ValidationError('seriousnessCriteria', 'a non-serious adverse event cannot have seriousness criteria');
  }
  // A death is serious by definition (docs/safety-rules.md §5); a non-serious death would miss the 24-hour SAE clock.
  if (!input.serious && (input.grade === 5 || input.outcome === 'fatal')) {
    throw new ValidationError('serious', 'grade 5 or a fatal outcome is a death, which is always serious');
  }
  if (input.relatedness !== undefined && input.relatedness !== null && !RELATEDNESS.includes(input.relatedness as Relatedness)) {
    throw new ValidationError('relatedness', `must be one of: ${RELATEDNESS.join(', ')}`);
  }
  if (input.outcome !== undefined && input.outcome !== null && !AE_OUTCOMES.includes(input.outcome as AdverseEventOutcome)) {
    throw new ValidationError('outcome', `must be one of: ${AE_OUTCOMES.join(', ')}`);
  }
  const data: AdverseEventReportedData = {
    patientId: patient.patientId,
    term,
    onsetAt,
    ...(awareAt !== undefined ? { awareAt } : {}),
    grade: input.grade,
    serious: input.serious,
  };
  if (criteria.length > 0) data.seriousnessCriteria = [...new Set(criteria as SeriousnessCriterion[])];
  if (input.relatedness !== undefined && input.relatedness !== null) data.relatedness = input.relatedness as Relatedness;
  if (input.outcome !== undefined && input.outcome !== null) data.outcome = input.outcome as AdverseEventOutcome;
  return data;
}
