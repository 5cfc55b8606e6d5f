import type { AdverseEventOutcome, DiseaseCode, LabTestCode, ReferenceRange, Relatedness, SeriousnessCriterion, TreatmentStatus } from '../events';
import type { PatientChart } from '../patient/patient-chart';
import { activeAdverseEvents, followUpOf, treatmentStatusAt, type LabEntry, type PatientState } from '../patient/patient-state';
import { adverseEventCalls } from './adverse-event-rules';
import { assessLabResult } from './assess-lab-result';
import type { GradeBasis } from './ctcae-grades';
import { doseCompliance, doseGrid, missedDoses, treatmentStoppedAt, type DoseCompliance, type DoseDeviation, type DosingOptions } from './dose-grid';

/** SDTM LBNRIND: where the value sits against the lab's own reference range. */
export type NormalRangeIndicator = 'LOW' | 'NORMAL' | 'HIGH';

export interface LabValue {
  /** Stored event id of the record (corrections keep it). */
  eventId: string;
  /** As reported. */
  value: number;
  unit: string;
  /** In the test's canonical unit. */
  normalisedValue: number;
  normalisedUnit: string;
  referenceRange?: ReferenceRange;
  collectedAt: string;
  studyDay?: number;
  corrected: boolean;
}

/** A test's latest result, graded and judged against the protocol thresholds. */
export interface LabSummary {
  test: LabTestCode;
  latest: LabValue;
  /** CTCAE v5.0 grade (docs/safety-rules.md §2); null when ungradable. For creatinine, the higher of its own and its clearance's. */
  grade: number | null;
  gradeBasis: GradeBasis | null;
  ungradableReason?: string;
  /** Reference-range indicator, then the rules the latest value crosses (e.g. ['LOW', 'TR-PLT']). */
  flags: string[];
  /** Rules that could not be judged for this value, and why (e.g. TR-ALT for an AIH patient). */
  notEvaluated: { ruleId: string; reason: string }[];
  /** The patient's baseline (last value on or before the first dose), in the canonical unit. */
  baseline: { value: number; unit: string; referenceRange?: ReferenceRange } | null;
  /** Cockcroft-Gault creatinine clearance of the latest creatinine. */
  crclMlMin?: number;
}

export interface AdverseEventSummary {
  eventId: string;
  term: string;
  onsetAt: string;
  awareAt?: string;
  grade: number;
  serious: boolean;
  seriousnessCriteria: SeriousnessCriterion[];
  relatedness?: Relatedness;
  outcome?: AdverseEventOutcome;
  corrected: boolean;
  /** The 24-hour SAE reporting deadline (docs/safety-rules.md §5), for a serious event. */
  saeReportingDeadline?: string;
  /** When the report to the sponsor was made, if it was. */
  sponsorReportedAt?: string;
  /** The sponsor's last assessment. */
  assessment?: { expected: boolean; causality: Relatedness; assessedAt: string };
  /** The SUSAR clock, for a serious event assessed as related and unexpected. */
  susar?: { ruleId: string; deadline: string; regulatoryReportedAt?: string };
}

/**
 * The treatment status at a moment, as GET /patients/:patientId and /safety show it (`treatmentStatus`):
 * `effectiveAt` is the instant the status took effect, named as in the request that recorded it; `since`
 * is the same instant under its earlier name.
 */
export interface TreatmentStatusNow {
  status: TreatmentStatus | 'ended';
  since?: string;
  effectiveAt?: string;
  reason?: string;
}

/** What a safety officer needs to see of one patient at a glance, from the patient's state (alerts aside). */
export interface PatientSafetyFacts {
  patientId: string;
  siteId: string | null;
  disease: DiseaseCode | null;
  /** The moment dose compliance, missed doses and the treatment status are reckoned at. */
  asOf: string;
  treatment: TreatmentStatusNow;
  labs: LabSummary[];
  doses: { compliance: DoseCompliance; missed: DoseDeviation[] };
  adverseEvents: AdverseEventSummary[];
}

/**
 * The patient's safety at `asOf`, reckoned from their state by the same rules the alerting reactor judges
 * with: per test the latest value graded and flagged, dosing against the grid, adverse events with their clocks.
 */
export function safetyFactsOf(state: PatientState, chart: PatientChart, asOf: Date, dosing: DosingOptions = {}): PatientSafetyFacts {
  const asOfMs = asOf.getTime();
  return {
    patientId: state.patientId ?? '',
    siteId: state.siteId,
    disease: state.disease,
    asOf: asOf.toISOString(),
    treatment: treatmentOf(state, asOfMs),
    labs: labSummaries(state, chart),
    doses: { compliance: doseCompliance(state, chart, asOf, dosing), missed: missedDoses(state, doseGrid(state, chart, dosing), asOfMs) },
    adverseEvents: adverseEventSummaries(state),
  };
}

/** The patient's treatment status at a moment, with when and why it began; `ended` after a fatal adverse event. */
export function treatmentOf(state: PatientState, atMs: number): TreatmentStatusNow {
  const status = treatmentStatusAt(state, atMs);
  if (status === 'on-treatment' && treatmentStoppedAt(state, atMs)) return { status: 'ended', reason: 'a fatal adverse event' };
  const change = [...state.treatment].filter((c) => c.status === status && Date.parse(c.effectiveAt) <= atMs).pop();
  return change ? { status, since: change.effectiveAt, effectiveAt: change.effectiveAt, reason: change.reason } : { status };
}

/** Per test, its latest result graded and flagged against the baseline: the same whatever the moment it is reckoned at. */
export function labSummaries(state: PatientState, chart: PatientChart): LabSummary[] {
  const latest = new Map<LabTestCode, LabEntry>();
  for (const entry of Object.values(state.labs)) {
    if (entry.voided) continue;
    const list = chart.labsOf(entry.current.test);
    const last = list[list.length - 1];
    if (last) latest.set(entry.current.test, last.entry);
  }
  return [...latest.values()].map((entry) => {
    const lab = { eventId: entry.eventId, data: entry.current };
    const assessment = assessLabResult(state, chart, lab);
    const n = entry.current.normalised;
    const indicator = normalRange(n.value, n.referenceRange);
    const grade = assessment.worstGrade;
    const basis =
      assessment.clearance && grade !== null && grade === assessment.clearance.grade.grade && grade !== assessment.grade.grade
        ? 'clearance'
        : assessment.grade.basis;
    return {
      test: entry.current.test,
      latest: {
        eventId: entry.eventId,
        value: entry.current.value,
        unit: entry.current.unit,
        normalisedValue: n.value,
        normalisedUnit: n.unit,
        ...(n.referenceRange ? { referenceRange: n.referenceRange } : {}),
        collectedAt: entry.current.collectedAt,
        ...(entry.current.studyDay !== undefined ? { studyDay: entry.current.studyDay } : {}),
        corrected: entry.corrections.length > 0,
      },
      grade,
      gradeBasis: basis,
      ...(grade === null && assessment.grade.ungradableReason ? { ungradableReason: assessment.grade.ungradableReason } : {}),
      flags: [...(indicator ? [indicator] : []), ...assessment.ruleHits.map((hit) => hit.ruleId)],
      notEvaluated: assessment.notEvaluated,
      baseline: assessment.baseline
        ? {
            value: assessment.baseline.value,
            unit: n.unit,
            ...(assessment.baseline.referenceRange ? { referenceRange: assessment.baseline.referenceRange } : {}),
          }
        : null,
      ...(assessment.crclMlMin !== undefined ? { crclMlMin: assessment.crclMlMin } : {}),
    };
  });
}

export function adverseEventSummaries(state: PatientState): AdverseEventSummary[] {
  return activeAdverseEvents(state).map((entry) => {
    const ae = entry.current;
    const calls = adverseEventCalls(state, entry);
    const sae = calls.find((call) => call.ruleId === 'SAE-24H');
    const susar = calls.find((call) => call.ruleId === 'SUSAR-7D' || call.ruleId === 'SUSAR-15D');
    const followUp = followUpOf(state, entry.eventId);
    const assessment = followUp.assessments[followUp.assessments.length - 1];
    return {
      eventId: entry.eventId,
      term: ae.term,
      onsetAt: ae.onsetAt,
      ...(ae.awareAt ? { awareAt: ae.awareAt } : {}),
      grade: ae.grade,
      serious: ae.serious,
      seriousnessCriteria: ae.seriousnessCriteria ?? [],
      ...(ae.relatedness ? { relatedness: ae.relatedness } : {}),
      ...(ae.outcome ? { outcome: ae.outcome } : {}),
      corrected: entry.corrections.length > 0,
      ...(sae?.deadline ? { saeReportingDeadline: sae.deadline } : {}),
      ...(followUp.sponsorReports[0] ? { sponsorReportedAt: followUp.sponsorReports[0].reportedAt } : {}),
      ...(assessment ? { assessment: { expected: assessment.expected, causality: assessment.causality, assessedAt: assessment.assessedAt } } : {}),
      ...(susar?.deadline
        ? {
            susar: {
              ruleId: susar.ruleId,
              deadline: susar.deadline,
              ...(followUp.regulatoryReports[0] ? { regulatoryReportedAt: followUp.regulatoryReports[0].reportedAt } : {}),
            },
          }
        : {}),
    };
  });
}

/** Where a value sits against the lab's own range (SDTM LBNRIND); undefined without one. */
export function normalRange(value: number, range: ReferenceRange | undefined): NormalRangeIndicator | undefined {
  if (!range || (range.low === undefined && range.high === undefined)) return undefined;
  if (range.low !== undefined && value < range.low) return 'LOW';
  if (range.high !== undefined && value > range.high) return 'HIGH';
  return 'NORMAL';
}
