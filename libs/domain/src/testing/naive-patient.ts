/**
 * The patient fold and lab grading as they were before they were made fast (copy every record on each
 * event, sort every record for each result graded): quadratic, but plainly right. Only the property
 * tests use it (fold-equivalence.spec.ts), to show the fast fold and grades give the same answers.
 */
import type { AlertSeverity, LabResultRecordedData } from '../events';
import type { StoredPatientEvent } from '../patient/evolve';
import { initialPatientState, type AdverseEventEntry, type DoseEntry, type LabEntry, type PatientState, type RecordedEntry } from '../patient/patient-state';
import type { LabAssessment } from '../safety/assess-lab-result';
import { creatinineClearance } from '../safety/cockcroft-gault';
import { gradeLabResult, multipleOf, type Baseline, type LabGrade } from '../safety/ctcae-grades';
import { TRANSREG_LAB_RULES, crosses, type LabSafetyRule } from '../safety/lab-safety-rules';
import { LAB_TESTS } from '../units/lab-tests';
import { roundSignificant } from '../units/significant';

export function naiveReplay(events: readonly StoredPatientEvent[], from: PatientState = initialPatientState): PatientState {
  return events.reduce(naiveEvolve, from);
}

export function naiveEvolve(state: PatientState, stored: StoredPatientEvent): PatientState {
  const { eventId, event } = stored;
  const version = state.version + 1;
  switch (event.type) {
    case 'PatientEnrolled': {
      const d = event.data;
      return {
        ...state,
        enrolled: true,
        patientId: d.patientId,
        trialId: d.trialId,
        siteId: d.siteId,
        disease: d.disease,
        demographics: { sex: d.sex, birthYear: d.birthYear, weightKg: d.weightKg },
        enrolledAt: d.enrolledAt,
        version,
      };
    }
    case 'DoseAdministered':
      return { ...state, doses: { ...state.doses, [eventId]: recorded(eventId, event.data, version) }, version };
    case 'LabResultRecorded':
      return { ...state, labs: { ...state.labs, [eventId]: recorded(eventId, event.data, version) }, version };
    case 'AdverseEventReported':
      return { ...state, adverseEvents: { ...state.adverseEvents, [eventId]: recorded(eventId, event.data, version) }, version };
    case 'LabResultCorrected':
      return { ...state, labs: corrected(state.labs, event.data, eventId, event.type), version };
    case 'DoseCorrected':
      return { ...state, doses: corrected(state.doses, event.data, eventId, event.type), version };
    case 'AdverseEventCorrected':
      return { ...state, adverseEvents: corrected(state.adverseEvents, event.data, eventId, event.type), version };
    case 'LabResultEnteredInError':
      return { ...state, labs: voided(state.labs, event.data, event.type), version };
    case 'DoseEnteredInError':
      return { ...state, doses: voided(state.doses, event.data, event.type), version };
    case 'AdverseEventEnteredInError':
      return { ...state, adverseEvents: voided(state.adverseEvents, event.data, event.type), version };
    default: {
      const unknown: never = event;
      throw new Error(`evolve: unknown patient event ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}

function recorded<D>(eventId: string, data: D, seq: number): RecordedEntry<D> {
  return { eventId, original: data, current: data, voided: false, corrections: [], recordedSeq: seq };
}

function target<D>(entries: Readonly<Record<string, RecordedEntry<D>>>, id: string, type: string): RecordedEntry<D> {
  const entry = Object.prototype.hasOwnProperty.call(entries, id) ? entries[id] : undefined;
  if (!entry) throw new Error(`patient stream damaged: ${type} targets unknown event ${id}`);
  return entry;
}

function corrected<D>(
  entries: Readonly<Record<string, RecordedEntry<D>>>,
  data: { originalEventId: string; newValues: D },
  correctionEventId: string,
  type: string,
): Record<string, RecordedEntry<D>> {
  const entry = target(entries, data.originalEventId, type);
  return {
    ...entries,
    [entry.eventId]: { ...entry, current: data.newValues, corrections: [...entry.corrections, correctionEventId] },
  };
}

function voided<D>(
  entries: Readonly<Record<string, RecordedEntry<D>>>,
  data: { originalEventId: string; reason: string },
  type: string,
): Record<string, RecordedEntry<D>> {
  const entry = target(entries, data.originalEventId, type);
  return { ...entries, [entry.eventId]: { ...entry, voided: true, voidReason: data.reason } };
}

function activeEntries<D>(entries: Readonly<Record<string, RecordedEntry<D>>>, at: (d: D) => string): RecordedEntry<D>[] {
  return Object.values(entries)
    .filter((e) => !e.voided)
    .sort((a, b) => Date.parse(at(a.current)) - Date.parse(at(b.current)) || a.recordedSeq - b.recordedSeq);
}
export const naiveActiveDoses = (state: PatientState): DoseEntry[] => activeEntries(state.doses, (d) => d.administeredAt);
export const naiveActiveLabs = (state: PatientState): LabEntry[] => activeEntries(state.labs, (l) => l.collectedAt);
export const naiveActiveAdverseEvents = (state: PatientState): AdverseEventEntry[] => activeEntries(state.adverseEvents, (a) => a.onsetAt);

export function naiveBaselineFor(state: PatientState, lab: { eventId: string; data: LabResultRecordedData }): Baseline | null {
  const firstDose = naiveActiveDoses(state)[0];
  const cutoff = Date.parse(firstDose ? firstDose.current.administeredAt : lab.data.collectedAt);
  let best: LabResultRecordedData | null = null;
  // activeLabs is in collection order (ties by recording order): the last one on or before the cutoff wins.
  for (const entry of naiveActiveLabs(state)) {
    if (entry.eventId === lab.eventId || entry.current.test !== lab.data.test) continue;
    if (Date.parse(entry.current.collectedAt) <= cutoff) best = entry.current;
  }
  return best ? { value: best.normalised.value, referenceRange: best.normalised.referenceRange } : null;
}

export function naiveAssessLabResult(
  state: PatientState,
  lab: { eventId: string; data: LabResultRecordedData },
  rules: readonly LabSafetyRule[] = TRANSREG_LAB_RULES,
): LabAssessment {
  const { data } = lab;
  const normalised = data.normalised;
  const grade = gradeLabResult(data.test, normalised.value, normalised.referenceRange, naiveBaselineFor(state, lab));
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
