import type { AlertSeverity, LabResultRecordedData, NormalisedValue } from '../events';
import type { PatientChart } from '../patient/patient-chart';
import type { PatientState } from '../patient/patient-state';
import { LAB_TESTS } from '../units/lab-tests';
import { roundSignificant } from '../units/significant';
import { baselineFor } from './baseline';
import { creatinineClearance } from './cockcroft-gault';
import { gradeBoundary, gradeClearance, gradeLabResult, multipleOf, type Baseline, type CtcaeGrade, type LabGrade } from './ctcae-grades';
import { TRANSREG_LAB_RULES, crosses, type LabSafetyRule } from './lab-safety-rules';
import type { RuleId } from './rule-catalogue';

export interface RuleHit {
  ruleId: RuleId;
  /** The compared value: canonical value, multiple of ULN (unit '×ULN') or clearance (mL/min). */
  value: number;
  unit: string;
  threshold: number;
  thresholdUnit: string;
  comparison: '<' | '>';
  /** CTCAE grade the alert shows: the result's, or for TR-CRCL the clearance's. */
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
  /** The result's own CTCAE grade (creatinine: on ULN and baseline). */
  grade: LabGrade;
  /** Creatinine only: the Cockcroft-Gault clearance and its own grade (chronic kidney disease). */
  clearance?: { mlMin: number; grade: LabGrade };
  /** The grade that counts for CTCAE-LAB: the result's, or for creatinine the higher of it and the clearance's. */
  worstGrade: CtcaeGrade | null;
  baseline: Baseline | null;
  /**
   * The rules the result crosses: protocol thresholds (TR-*), and CTCAE-LAB when the worst grade is 3 or 4 and no
   * protocol threshold crossed already carries a grade as high (so a severe result is never shown below its grade).
   */
  ruleHits: RuleHit[];
  notEvaluated: RuleNotEvaluated[];
  /** Cockcroft-Gault clearance, for a creatinine result of an enrolled patient. */
  crclMlMin?: number;
}

/** The CTCAE grade from which a result alerts in every disease (docs/safety-rules.md §2). */
export const SEVERE_GRADE = 3;

/**
 * Everything the protocol and CTCAE say about one lab result: its grade, the protocol thresholds it
 * crosses, CTCAE-LAB, and the rules that could not be evaluated (and why). Pure; `lab` carries the
 * current (corrected) values; the chart gives the baseline, the state the disease and demographics.
 * A protocol exception (TR-ALT for AIH…) removes only that threshold: a result of grade 3 or 4 still
 * alerts, through CTCAE-LAB (docs/safety-rules.md §2). CTCAE-LAB also stands beside a protocol alert whose
 * grade is below the result's worst grade (TR-CRCL grade 2 on a creatinine of grade 3).
 */
export function assessLabResult(
  state: PatientState,
  chart: PatientChart,
  lab: { eventId: string; data: LabResultRecordedData },
  rules: readonly LabSafetyRule[] = TRANSREG_LAB_RULES,
): LabAssessment {
  const { data } = lab;
  const normalised = data.normalised;
  const baseline = baselineFor(chart, lab);
  const grade = gradeLabResult(data.test, normalised.value, normalised.referenceRange, baseline);
  const crclMlMin = data.test === 'CREAT' ? clearanceAt(state, data) : null;
  const clearance = crclMlMin !== null ? { mlMin: crclMlMin, grade: gradeClearance(crclMlMin) } : undefined;
  const worstGrade = higher(grade.grade, clearance?.grade.grade ?? null);
  const assessment: LabAssessment = { test: data.test, normalised, grade, worstGrade, baseline, ruleHits: [], notEvaluated: [] };
  if (clearance) {
    assessment.clearance = clearance;
    assessment.crclMlMin = clearance.mlMin;
  }

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
    // TR-CRCL speaks of kidney function: its grade is the clearance's, not the creatinine's.
    const hitGrade = rule.measure === 'creatinineClearance' ? (clearance?.grade.grade ?? null) : grade.grade;
    const severity: AlertSeverity = rule.severity === 'critical' || (hitGrade !== null && hitGrade >= SEVERE_GRADE) ? 'critical' : 'warning';
    assessment.ruleHits.push({
      ruleId: rule.ruleId,
      value: measured.value,
      unit: measured.unit,
      threshold: rule.threshold,
      thresholdUnit: rule.thresholdUnit,
      comparison: rule.comparison,
      grade: hitGrade,
      severity,
      message: hitMessage(rule, data, measured, hitGrade),
    });
  }
  // One result, one alert per rule: CTCAE-LAB only where no protocol alert on it already shows its worst grade.
  // A TR-CRCL hit shows the clearance's grade: a creatinine of grade 3 with a clearance of grade 2 raises both.
  if (worstGrade !== null && worstGrade >= SEVERE_GRADE && !assessment.ruleHits.some((hit) => (hit.grade ?? -1) >= worstGrade)) {
    assessment.ruleHits.push(ctcaeHit(data, grade, clearance, worstGrade, baseline));
  }
  return assessment;
}

const higher = (a: CtcaeGrade | null, b: CtcaeGrade | null): CtcaeGrade | null => (a === null ? b : b === null ? a : (Math.max(a, b) as CtcaeGrade));

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
  return creatinineClearance({ ageYears, weightKg: state.demographics.weightKg, sex: state.demographics.sex, creatinineUmolL: data.normalised.value });
}

const shown = (n: number): string => String(roundSignificant(n, 4));

function hitMessage(rule: LabSafetyRule, data: LabResultRecordedData, measured: { value: number; unit: string }, grade: number | null): string {
  const word = rule.comparison === '<' ? 'below' : 'above';
  const name = LAB_TESTS[data.test].name;
  const graded = grade !== null ? `; CTCAE grade ${grade}` : '';
  const reported = `${data.value} ${data.unit}`;
  const crossed = `${word} ${rule.threshold} ${rule.thresholdUnit} (${rule.ruleId}${graded})`;
  switch (rule.measure) {
    case 'value':
      return `${rule.label} ${shown(measured.value)} ${measured.unit} (reported ${reported}) ${crossed}`;
    case 'ulnMultiple':
      return `${rule.label} ${reported} is ${shown(measured.value)} × ULN, ${crossed}`;
    case 'creatinineClearance':
      return `${rule.label} ${shown(measured.value)} mL/min from ${name} ${reported}, ${crossed}`;
  }
}

function ctcaeHit(data: LabResultRecordedData, grade: LabGrade, clearance: LabAssessment['clearance'], worst: CtcaeGrade, baseline: Baseline | null): RuleHit {
  const byClearance = clearance !== undefined && clearance.grade.grade === worst && (grade.grade === null || grade.grade < worst);
  const reported = `${data.value} ${data.unit}`;
  const name = LAB_TESTS[data.test].name;
  if (byClearance) {
    const ml = clearance.mlMin;
    return {
      ruleId: 'CTCAE-LAB',
      value: ml,
      unit: 'mL/min',
      threshold: worst === 4 ? 15 : 30,
      thresholdUnit: 'mL/min',
      comparison: '<',
      grade: worst,
      severity: 'critical',
      message: `Creatinine clearance ${shown(ml)} mL/min from ${name} ${reported}: ${clearance.grade.term} CTCAE grade ${worst} (CTCAE-LAB)`,
    };
  }
  const value = data.normalised.value;
  const term = grade.term ?? name;
  const boundary = gradeBoundary(data.test, grade, worst, data.normalised.referenceRange, baseline);
  return {
    ruleId: 'CTCAE-LAB',
    value,
    unit: data.normalised.unit,
    threshold: boundary?.threshold ?? SEVERE_GRADE,
    thresholdUnit: boundary ? data.normalised.unit : 'CTCAE grade',
    comparison: boundary?.comparison ?? '>',
    grade: worst,
    severity: 'critical',
    message: `${capitalised(name)} ${shown(value)} ${data.normalised.unit} (reported ${reported}): ${term}, CTCAE grade ${worst} (CTCAE-LAB)`,
  };
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
