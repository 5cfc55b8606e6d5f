import type { AlertSeverity, LabResultRecordedData, NormalisedValue } from '../events';
import { LAB_TESTS } from '../units/lab-tests';
import { roundSignificant } from '../units/significant';
import type { PatientState } from '../patient/patient-state';
import { recordsOf } from '../patient/record-journal';
import { baselineFor, labBaselines } from './baseline';
import { creatinineClearance } from './cockcroft-gault';
import { gradeLabResult, multipleOf, type Baseline, type LabGrade } from './ctcae-grades';
import { TRANSREG_LAB_RULES, crosses, type LabSafetyRule } from './lab-safety-rules';

export interface RuleHit {
  ruleId: string;
  /** The compared value: canonical value, multiple of ULN (unit '×ULN') or clearance (mL/min). */
  value: number;
  unit: string;
  threshold: number;
  thresholdUnit: string;
  comparison: '<' | '>';
  /** CTCAE grade of the result, when gradable. */
  grade?: number | null;
  severity: AlertSeverity;
  message: string;
}

export interface RuleNotEvaluated {
  ruleId: string;
  reason: string;
}

export interface LabAssessment {
  test: LabResultRecordedData['test'];
  normalised: NormalisedValue;
  grade: LabGrade;
  ruleHits: RuleHit[];
  notEvaluated: RuleNotEvaluated[];
  /** Cockcroft-Gault clearance, for a creatinine result of an enrolled patient. */
  crclMlMin?: number;
}

/**
 * Everything the protocol and CTCAE say about one lab result: its grade, the safety rules it crosses,
 * and the rules that could not be evaluated (and why). Pure; evaluates the rows of `rules`.
 * `lab` carries the current (corrected) values; the state gives the baseline, the disease and the
 * demographics Cockcroft-Gault needs.
 */
export function assessLabResult(
  state: PatientState,
  lab: { eventId: string; data: LabResultRecordedData },
  rules: readonly LabSafetyRule[] = TRANSREG_LAB_RULES,
): LabAssessment {
  return assessAgainst(state, lab, baselineFor(state, lab), rules);
}

/**
 * Every lab result of the patient not voided, assessed with its current values exactly as
 * `assessLabResult` assesses it alone, keyed by the event id that recorded it (in recording order).
 * The baselines are found once for all (labBaselines): O(n log n) for n results, where assessing them
 * one by one is O(n²).
 */
export function assessLabResults(state: PatientState, rules: readonly LabSafetyRule[] = TRANSREG_LAB_RULES): Map<string, LabAssessment> {
  const baselines = labBaselines(state);
  const assessments = new Map<string, LabAssessment>();
  for (const entry of recordsOf(state, 'labs')) {
    if (entry.voided) continue;
    const lab = { eventId: entry.eventId, data: entry.current };
    assessments.set(entry.eventId, assessAgainst(state, lab, baselines.for(lab), rules));
  }
  return assessments;
}

function assessAgainst(
  state: PatientState,
  lab: { eventId: string; data: LabResultRecordedData },
  baseline: Baseline | null,
  rules: readonly LabSafetyRule[],
): LabAssessment {
  const { data } = lab;
  const normalised = data.normalised;
  const grade = gradeLabResult(data.test, normalised.value, normalised.referenceRange, baseline);
  const crclMlMin = data.test === 'CREAT' ? clearanceAt(state, data) : null;
  const assessment: LabAssessment = { test: data.test, normalised, grade, ruleHits: [], notEvaluated: [] };
  if (crclMlMin !== null) assessment.crclMlMin = crclMlMin;

  for (const rule of rules) {
    if (rule.test !== data.test) continue;
    if (state.disease !== null && rule.notFor.includes(state.disease)) {
      assessment.notEvaluated.push({ ruleId: rule.ruleId, reason: `does not apply to ${state.disease} patients (docs/safety-rules.md §1)` });
      continue;
    }
    const measured = measure(rule, data, crclMlMin);
    if ('reason' in measured) {
      assessment.notEvaluated.push({ ruleId: rule.ruleId, reason: measured.reason });
      continue;
    }
    if (!crosses(measured.value, rule.comparison, rule.threshold)) continue;
    const severity: AlertSeverity = rule.severity === 'critical' || (grade.grade !== null && grade.grade >= 3) ? 'critical' : 'warning';
    assessment.ruleHits.push({
      ruleId: rule.ruleId,
      value: measured.value,
      unit: measured.unit,
      threshold: rule.threshold,
      thresholdUnit: rule.thresholdUnit,
      comparison: rule.comparison,
      grade: grade.grade,
      severity,
      message: hitMessage(rule, data, measured, grade),
    });
  }
  return assessment;
}

type Measured = { value: number; unit: string } | { reason: string };

function measure(rule: LabSafetyRule, data: LabResultRecordedData, crclMlMin: number | null): Measured {
  switch (rule.measure) {
    case 'value':
      return { value: data.normalised.value, unit: data.normalised.unit };
    case 'ulnMultiple': {
      // The ULN is the lab's own and travels with the result (docs/safety-rules.md §3): never guessed.
      const uln = data.normalised.referenceRange?.high;
      if (uln === undefined || uln <= 0) return { reason: 'the result carries no upper limit of normal (ULN)' };
      return { value: multipleOf(data.normalised.value, uln), unit: '×ULN' };
    }
    case 'creatinineClearance':
      if (crclMlMin === null) return { reason: 'creatinine clearance cannot be computed (patient demographics missing or creatinine of 0)' };
      return { value: crclMlMin, unit: 'mL/min' };
  }
}

/** Cockcroft-Gault at collection: age = collection year − birth year; weight as recorded at enrolment. */
function clearanceAt(state: PatientState, data: LabResultRecordedData): number | null {
  if (!state.demographics) return null;
  const ageYears = new Date(data.collectedAt).getUTCFullYear() - state.demographics.birthYear;
  return creatinineClearance({
    ageYears,
    weightKg: state.demographics.weightKg,
    sex: state.demographics.sex,
    creatinineUmolL: data.normalised.value,
  });
}

const shown = (n: number): string => String(roundSignificant(n, 4));

function hitMessage(rule: LabSafetyRule, data: LabResultRecordedData, measured: { value: number; unit: string }, grade: LabGrade): string {
  const word = rule.comparison === '<' ? 'below' : 'above';
  const name = LAB_TESTS[data.test].name;
  const graded = grade.grade !== null ? `; CTCAE grade ${grade.grade}` : '';
  const reported = `${data.value} ${data.unit}`;
  switch (rule.measure) {
    case 'value':
      return `${rule.label} ${shown(measured.value)} ${measured.unit} (reported ${reported}) ${word} ${rule.threshold} ${rule.thresholdUnit} (${rule.ruleId}${graded})`;
    case 'ulnMultiple':
      return `${rule.label} ${reported} is ${shown(measured.value)} × ULN, ${word} ${rule.threshold} × ULN (${rule.ruleId}${graded})`;
    case 'creatinineClearance':
      return `${rule.label} ${shown(measured.value)} mL/min from ${name} ${reported}, ${word} ${rule.threshold} mL/min (${rule.ruleId}${graded})`;
  }
}
