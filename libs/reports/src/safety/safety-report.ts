import {
  activeAdverseEvents,
  adverseEventCalls,
  doseCompliance,
  gradeLabResult,
  isGradable,
  PatientChart,
  TRANSREG,
  treatmentOf,
  type DiseaseCode,
  type DosingOptions,
  type LabTestCode,
  type PatientState,
  type ReferenceRange,
  type SeriousnessCriterion,
} from '@vigil/domain';
import { compareText, type AlertTrack, type LabPoint, type PatientTrack, type TrialFold } from '../log/trial-fold';

/** Which part of the trial a report covers, and as Vigil knew it when. */
export interface SafetyReportQuery {
  /** ISO-8601 UTC: events recorded after it are left out; statuses and doses due are reckoned at it. */
  asOf: string;
  disease?: DiseaseCode;
  siteId?: string;
}

export interface StoppedLine {
  status: string;
  reason: string;
  patients: number;
}

export interface Exposure {
  enrolled: number;
  onTreatment: number;
  suspended: number;
  /** Treatment stopped (discontinued, completed, withdrawn, or ended by a fatal event), by status and reason. */
  stopped: StoppedLine[];
  dosesGiven: number;
  dosesDue: number;
  /** Dose deviations by rule (DOSE-*), missed doses included. */
  deviations: { ruleId: string; count: number }[];
}

/** Patients whose worst grade of the term is `worstGrade`, and the events of the term at that grade. */
export interface AdverseEventLine {
  term: string;
  disease: string;
  worstGrade: number;
  patients: number;
  events: number;
}

export interface ReportingClock {
  ruleId: string;
  deadline: string;
  reportedAt: string | null;
  /** Reported after the deadline. */
  late: boolean;
  /** Not reported, and the deadline passed by `asOf`. */
  overdue: boolean;
}

export interface SeriousAdverseEventLine {
  patientId: string;
  siteId: string;
  disease: string;
  eventId: string;
  term: string;
  grade: number;
  onsetAt: string;
  seriousnessCriteria: SeriousnessCriterion[];
  outcome: string | null;
  clocks: ReportingClock[];
}

export interface DeathLine {
  patientId: string;
  siteId: string;
  disease: string;
  eventId: string;
  term: string;
  onsetAt: string;
}

/** Patients by their baseline grade and their worst grade on treatment (null: none gradable). */
export interface ShiftCell {
  baselineGrade: number | null;
  worstGrade: number | null;
  patients: number;
}

export interface LabShiftTable {
  test: LabTestCode;
  patients: number;
  cells: ShiftCell[];
}

export interface AlertLine {
  ruleId: string;
  severity: string;
  raised: number;
  open: number;
  acknowledged: number;
  retracted: number;
  closed: number;
  /** Over the alerts acknowledged by `asOf`; null when none was. */
  medianHoursToAcknowledge: number | null;
  maxHoursToAcknowledge: number | null;
}

export interface OpenAlertLine {
  alertId: string;
  ruleId: string;
  severity: string;
  patientId: string;
  siteId: string;
  raisedAt: string;
}

export interface ThresholdLine {
  disease: string;
  patients: number;
  /** Patients with an alert of a protocol threshold (TR-*, docs/safety-rules.md §1) that was not retracted. */
  crossed: number;
  patientIds: string[];
}

export interface SafetyReport {
  trialId: string;
  asOf: string;
  /** Global position of the last event the report includes. */
  position: number;
  filters: { disease: string | null; siteId: string | null };
  exposure: Exposure;
  adverseEvents: { byTerm: AdverseEventLine[]; serious: SeriousAdverseEventLine[]; deaths: DeathLine[] };
  labShifts: LabShiftTable[];
  alerts: { byRule: AlertLine[]; open: OpenAlertLine[] };
  thresholds: ThresholdLine[];
}

const STOPPED = new Set(['discontinued', 'completed', 'withdrawn', 'ended']);
const HOUR_MS = 3_600_000;

/**
 * What a report needs of one patient that does not depend on `asOf` once the fold is cut at it: lab shifts,
 * adverse events, serious ones with their clocks, deaths. Derived once per state of the patient when a
 * `SafetyReportCache` is given (the live fold's owner keeps one), else afresh.
 */
interface PatientFacts {
  shifts: { test: LabTestCode; baselineGrade: number | null; worstGrade: number | null }[];
  adverseEvents: { term: string; grade: number }[];
  serious: SeriousAdverseEventLine[];
  deaths: DeathLine[];
}

/**
 * Facts per patient, kept while the patient's stream has not moved (`PatientTrack.changes`). Owned by whoever
 * keeps a fold alive across reports; a report without one derives every patient afresh, with the same result.
 */
export class SafetyReportCache {
  private readonly facts = new WeakMap<PatientTrack, { changes: number; facts: PatientFacts }>();

  factsOf(track: PatientTrack): PatientFacts {
    const kept = this.facts.get(track);
    if (kept && kept.changes === track.changes) return kept.facts;
    const facts = patientFacts(track);
    this.facts.set(track, { changes: track.changes, facts });
    return facts;
  }
}

/** How a report is derived, not what it covers: the same report with or without them, for the same deployment. */
export interface SafetyReportOptions {
  /** The per-patient facts kept by the owner of a fold that lives across reports. */
  cache?: SafetyReportCache;
  /** The deployment's dosing protocol (VIGIL_DOSE_WINDOW_DAYS), as the alerting reactor judges doses with. */
  dosing?: DosingOptions;
}

/**
 * The trial's safety report (docs/interchange.md "The safety report"), from a trial fold taken as of
 * `asOf`. Pure: the same fold and query give the same report, with or without a cache.
 */
export function safetyReport(fold: TrialFold, query: SafetyReportQuery, options: SafetyReportOptions = {}): SafetyReport {
  const { cache, dosing } = options;
  const asOf = new Date(query.asOf);
  const asOfMs = asOf.getTime();
  const inScope = (state: PatientState) =>
    (query.disease === undefined || state.disease === query.disease) && (query.siteId === undefined || state.siteId === query.siteId);
  const tracks = fold.enrolledPatients().filter((track) => inScope(track.fold.state));
  const patientIds = new Set(tracks.map((track) => track.fold.state.patientId as string));
  const diseaseOf = new Map(tracks.map((track) => [track.fold.state.patientId as string, track.fold.state.disease as string]));
  const alerts = [...fold.alerts.values()].filter((alert) => patientIds.has(alert.patientId));

  const exposure = emptyExposure(tracks.length);
  const deviations = new Map<string, number>();
  const stopped = new Map<string, StoppedLine>();
  const adverse = new AdverseEventTally();
  const serious: SeriousAdverseEventLine[] = [];
  const deaths: DeathLine[] = [];
  const shifts = new ShiftTally();

  for (const track of tracks) {
    const state = track.fold.state;
    const treatment = treatmentOf(state, asOfMs);
    if (treatment.status === 'on-treatment') exposure.onTreatment++;
    else if (treatment.status === 'suspended') exposure.suspended++;
    if (STOPPED.has(treatment.status)) {
      const key = `${treatment.status}\u0000${treatment.reason ?? ''}`;
      const line = stopped.get(key) ?? { status: treatment.status, reason: treatment.reason ?? '', patients: 0 };
      line.patients++;
      stopped.set(key, line);
    }
    const compliance = doseCompliance(state, PatientChart.of(state), asOf, dosing);
    exposure.dosesGiven += compliance.given;
    exposure.dosesDue += compliance.expected;
    for (const [ruleId, count] of Object.entries(compliance.byRule)) deviations.set(ruleId, (deviations.get(ruleId) ?? 0) + (count ?? 0));

    const facts = cache ? cache.factsOf(track) : patientFacts(track);
    for (const ae of facts.adverseEvents) adverse.add(ae.term, state.disease as string, state.patientId as string, ae.grade);
    for (const line of facts.serious)
      serious.push({ ...line, clocks: line.clocks.map((clock) => ({ ...clock, overdue: clock.reportedAt === null && Date.parse(clock.deadline) < asOfMs })) });
    deaths.push(...facts.deaths);
    for (const shift of facts.shifts) shifts.add(shift.test, shift.baselineGrade, shift.worstGrade);
  }
  exposure.stopped = [...stopped.values()].sort((a, b) => compareText(a.status, b.status) || compareText(a.reason, b.reason));
  exposure.deviations = [...deviations.entries()].sort(([a], [b]) => compareText(a, b)).map(([ruleId, count]) => ({ ruleId, count }));

  return {
    trialId: TRANSREG.id,
    asOf: asOf.toISOString(),
    position: fold.position,
    filters: { disease: query.disease ?? null, siteId: query.siteId ?? null },
    exposure,
    adverseEvents: { byTerm: adverse.lines(), serious: serious.sort(byPatientThenOnset), deaths: deaths.sort(byPatientThenOnset) },
    labShifts: shifts.tables(),
    alerts: alertTables(alerts),
    thresholds: thresholdLines(tracks, alerts, diseaseOf),
  };
}

function patientFacts(track: PatientTrack): PatientFacts {
  const state = track.fold.state;
  const facts: PatientFacts = { shifts: [], adverseEvents: [], serious: [], deaths: [] };
  adverseEventsOf(state, facts);
  facts.shifts = shiftsOf(track, PatientChart.of(state).firstDose()?.time);
  return facts;
}

function emptyExposure(enrolled: number): Exposure {
  return { enrolled, onTreatment: 0, suspended: 0, stopped: [], dosesGiven: 0, dosesDue: 0, deviations: [] };
}

const byPatientThenOnset = (a: { patientId: string; onsetAt: string }, b: { patientId: string; onsetAt: string }) =>
  compareText(a.patientId, b.patientId) || compareText(a.onsetAt, b.onsetAt);

/** Adverse events by (term, disease): each patient counted once, at their worst grade of the term. */
class AdverseEventTally {
  private readonly worst = new Map<string, { term: string; disease: string; byPatient: Map<string, number>; grades: Map<string, number[]> }>();

  add(term: string, disease: string, patientId: string, grade: number): void {
    const key = `${term}\u0000${disease}`;
    let entry = this.worst.get(key);
    if (!entry) this.worst.set(key, (entry = { term, disease, byPatient: new Map(), grades: new Map() }));
    entry.byPatient.set(patientId, Math.max(entry.byPatient.get(patientId) ?? 0, grade));
    const grades = entry.grades.get(patientId) ?? [];
    grades.push(grade);
    entry.grades.set(patientId, grades);
  }

  lines(): AdverseEventLine[] {
    const lines: AdverseEventLine[] = [];
    for (const { term, disease, byPatient, grades } of this.worst.values()) {
      const byGrade = new Map<number, { patients: number; events: number }>();
      for (const [patientId, worst] of byPatient) {
        const cell = byGrade.get(worst) ?? { patients: 0, events: 0 };
        cell.patients++;
        cell.events += (grades.get(patientId) ?? []).filter((g) => g === worst).length;
        byGrade.set(worst, cell);
      }
      for (const [worstGrade, cell] of byGrade) lines.push({ term, disease, worstGrade, ...cell });
    }
    return lines.sort((a, b) => compareText(a.term, b.term) || compareText(a.disease, b.disease) || a.worstGrade - b.worstGrade);
  }
}

function adverseEventsOf(state: PatientState, facts: PatientFacts): void {
  const patientId = state.patientId as string;
  const siteId = state.siteId as string;
  const disease = state.disease as string;
  for (const entry of activeAdverseEvents(state)) {
    const ae = entry.current;
    facts.adverseEvents.push({ term: ae.term, grade: ae.grade });
    const criteria = ae.seriousnessCriteria ?? [];
    if (ae.outcome === 'fatal' || ae.grade === 5 || criteria.includes('death')) {
      facts.deaths.push({ patientId, siteId, disease, eventId: entry.eventId, term: ae.term, onsetAt: ae.onsetAt });
    }
    if (!ae.serious) continue;
    const clocks = adverseEventCalls(state, entry)
      .filter((call) => call.deadline !== undefined)
      .map((call): ReportingClock => ({
        ruleId: call.ruleId,
        deadline: call.deadline as string,
        reportedAt: call.closedBy?.reportedAt ?? null,
        late: call.closedBy?.late ?? false,
        // Reckoned at the report's asOf.
        overdue: false,
      }));
    facts.serious.push({
      patientId,
      siteId,
      disease,
      eventId: entry.eventId,
      term: ae.term,
      grade: ae.grade,
      onsetAt: ae.onsetAt,
      seriousnessCriteria: criteria,
      outcome: ae.outcome ?? null,
      clocks,
    });
  }
}

/**
 * Lab shift tables (docs/interchange.md "Lab shifts"): per gradable test, each patient's baseline grade (the
 * last result on or before the first dose, graded on its own) against the worst grade of the results after
 * the first dose (graded on that baseline, CTCAE v5, docs/safety-rules.md §2).
 */
class ShiftTally {
  private readonly cells = new Map<LabTestCode, Map<string, ShiftCell>>();

  add(test: LabTestCode, baselineGrade: number | null, worstGrade: number | null): void {
    let table = this.cells.get(test);
    if (!table) this.cells.set(test, (table = new Map()));
    const key = `${baselineGrade} ${worstGrade}`;
    const cell = table.get(key);
    if (cell) cell.patients++;
    else table.set(key, { baselineGrade, worstGrade, patients: 1 });
  }

  tables(): LabShiftTable[] {
    const rank = (grade: number | null) => (grade === null ? -1 : grade);
    return [...this.cells.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([test, cells]) => {
        const list = [...cells.values()].sort((a, b) => rank(a.baselineGrade) - rank(b.baselineGrade) || rank(a.worstGrade) - rank(b.worstGrade));
        return { test, patients: list.reduce((sum, cell) => sum + cell.patients, 0), cells: list };
      });
  }
}

/** One patient's shift per gradable test: none before a first dose, none for a test without a result after it. */
function shiftsOf(track: PatientTrack, firstDoseMs: number | undefined): PatientFacts['shifts'] {
  if (firstDoseMs === undefined) return [];
  const byTest = new Map<LabTestCode, LabPoint[]>();
  for (const point of labPointsOf(track)) {
    if (point.voided || !isGradable(point.test)) continue;
    const list = byTest.get(point.test);
    if (list) list.push(point);
    else byTest.set(point.test, [point]);
  }
  const shifts: PatientFacts['shifts'] = [];
  for (const [test, points] of byTest) {
    points.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let baseline: LabPoint | undefined;
    let base: { value: number; referenceRange?: ReferenceRange } | null = null;
    let worst: number | null = null;
    let onTreatment = 0;
    for (const point of points) {
      if (point.time <= firstDoseMs) {
        baseline = point;
        continue;
      }
      if (onTreatment++ === 0 && baseline) base = baseline.range ? { value: baseline.value, referenceRange: baseline.range } : { value: baseline.value };
      const grade = gradeLabResult(test, point.value, point.range, base).grade;
      if (grade !== null && (worst === null || grade > worst)) worst = grade;
    }
    if (onTreatment === 0) continue;
    const baselineGrade = baseline ? gradeLabResult(test, baseline.value, baseline.range, null).grade : null;
    shifts.push({ test, baselineGrade, worstGrade: worst });
  }
  return shifts;
}

/** A track's lab results: its LabPoints (compact fold), or its state's results made into LabPoints (full fold). */
function labPointsOf(track: PatientTrack): Iterable<LabPoint> {
  if (track.labs.size > 0 || Object.keys(track.fold.state.labs).length === 0) return track.labs.values();
  return Object.values(track.fold.state.labs).map((entry) => ({
    eventId: entry.eventId,
    test: entry.current.test,
    value: entry.current.normalised.value,
    range: entry.current.normalised.referenceRange,
    time: Date.parse(entry.current.collectedAt),
    seq: entry.recordedSeq,
    voided: entry.voided,
  }));
}

function alertTables(alerts: AlertTrack[]): SafetyReport['alerts'] {
  const lines = new Map<string, AlertLine & { ackHours: number[] }>();
  const open: OpenAlertLine[] = [];
  for (const alert of alerts) {
    const key = `${alert.ruleId}\u0000${alert.severity}`;
    let line = lines.get(key);
    if (!line) {
      line = {
        ruleId: alert.ruleId,
        severity: alert.severity,
        raised: 0,
        open: 0,
        acknowledged: 0,
        retracted: 0,
        closed: 0,
        medianHoursToAcknowledge: null,
        maxHoursToAcknowledge: null,
        ackHours: [],
      };
      lines.set(key, line);
    }
    line.raised++;
    line[alert.status]++;
    if (alert.acknowledgedMs !== null) line.ackHours.push(Math.max(0, alert.acknowledgedMs - alert.raisedMs) / HOUR_MS);
    if (alert.status === 'open') {
      open.push({
        alertId: alert.alertId,
        ruleId: alert.ruleId,
        severity: alert.severity,
        patientId: alert.patientId,
        siteId: alert.siteId,
        raisedAt: new Date(alert.raisedMs).toISOString(),
      });
    }
  }
  const byRule = [...lines.values()]
    .sort((a, b) => compareText(a.ruleId, b.ruleId) || compareText(a.severity, b.severity))
    .map(({ ackHours, ...line }) => ({ ...line, medianHoursToAcknowledge: hours(median(ackHours)), maxHoursToAcknowledge: hours(max(ackHours)) }));
  open.sort((a, b) => compareText(a.raisedAt, b.raisedAt) || compareText(a.alertId, b.alertId));
  return { byRule, open };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const max = (values: number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => (b > a ? b : a)));
const hours = (value: number | null): number | null => (value === null ? null : Math.round(value * 100) / 100);

function thresholdLines(tracks: PatientTrack[], alerts: AlertTrack[], diseaseOf: Map<string, string>): ThresholdLine[] {
  const crossed = new Map<string, Set<string>>();
  for (const alert of alerts) {
    if (!alert.ruleId.startsWith('TR-') || alert.status === 'retracted') continue;
    const disease = diseaseOf.get(alert.patientId);
    if (disease === undefined) continue;
    const set = crossed.get(disease) ?? new Set<string>();
    set.add(alert.patientId);
    crossed.set(disease, set);
  }
  const patients = new Map<string, number>();
  for (const track of tracks) patients.set(track.fold.state.disease as string, (patients.get(track.fold.state.disease as string) ?? 0) + 1);
  return TRANSREG.diseases
    .filter((disease) => patients.has(disease.code))
    .map((disease) => {
      const ids = [...(crossed.get(disease.code) ?? [])].sort(compareText);
      return { disease: disease.code, patients: patients.get(disease.code) ?? 0, crossed: ids.length, patientIds: ids };
    });
}
