import {
  adverseEventsInClinicalOrder,
  assessLabResult,
  dosesInClinicalOrder,
  LabAssessment,
  LabGrade,
  labsInClinicalOrder,
  PatientChart,
  PatientState,
  RecordedEntry,
  RuleHit,
} from '@vigil/domain';
import type { AdverseEventReportedData, DoseAdministeredData, LabResultRecordedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import type { AlertView } from './alert-view';
import { foldPatientAt, type FoldOptions, type PatientAt } from './fold-patient-at';
import type { PointInTime } from './point-in-time';

export interface LabView extends RecordedEntry<LabResultRecordedData> {
  /** CTCAE grade of the current values, against what was known at the point in time (null when voided). */
  grade: LabGrade | null;
  /** Protocol thresholds the current values cross (TR-PLT…). */
  ruleHits: RuleHit[];
}

/** Who the patient is at a point in time, and how much of their stream that covers: the head of every state answer. */
export interface PatientAtHead {
  patientId: string;
  pointInTime: PointInTime;
  /** Highest stream version folded (0: nothing yet). */
  version: number;
  /** Events of the stream folded: fewer than `version` when time bounds left some out. */
  eventsFolded: number;
  /** The stream's current version. */
  streamVersion: number;
  enrolled: boolean;
  siteId: string | null;
  disease: PatientState['disease'];
  demographics: PatientState['demographics'];
  enrolledAt: string | null;
}

/** A patient as they were at a point in time, every record of them: what `GET /patients/:patientId/state?view=full` answers. */
export interface PatientSnapshot extends PatientAtHead {
  /** In clinical-time order, voided entries included (marked). */
  labs: LabView[];
  doses: RecordedEntry<DoseAdministeredData>[];
  adverseEvents: RecordedEntry<AdverseEventReportedData>[];
  alerts: AlertView[];
}

/**
 * Folds a patient's stream, and the events of their alerts, up to a point in time (foldPatientAt), and
 * answers every record, each result graded. Pure: the caller reads the streams.
 */
export function replayPatientAt(
  patientId: string,
  stream: readonly StoredEvent[],
  alertEvents: readonly StoredEvent[],
  pit: PointInTime,
  options: FoldOptions = {},
): PatientSnapshot {
  return fullViewOf(foldPatientAt(patientId, stream, alertEvents, pit, options));
}

/** Every record of a fold at a point in time, each result graded. */
export function fullViewOf(at: PatientAt): PatientSnapshot {
  const { state } = at;
  return {
    ...headOf(at),
    labs: labViews(state, at.chart()),
    doses: dosesInClinicalOrder(state),
    adverseEvents: adverseEventsInClinicalOrder(state),
    alerts: at.alerts,
  };
}

/** The head of a fold at a point in time, shared by the full answer and the summary. */
export function headOf(at: PatientAt): PatientAtHead {
  const { state } = at;
  return {
    patientId: at.patientId,
    pointInTime: at.pointInTime,
    version: at.version,
    eventsFolded: at.eventsFolded,
    streamVersion: at.streamVersion,
    enrolled: state.enrolled,
    siteId: state.siteId,
    disease: state.disease,
    demographics: state.demographics,
    enrolledAt: state.enrolledAt,
  };
}

/** Every result with its grade and rule hits, graded through the chart of the state (its baselines found by binary search). */
function labViews(state: PatientState, chart: PatientChart): LabView[] {
  return labsInClinicalOrder(state).map((entry) => gradedLab(state, chart, entry));
}

/** A result with its grade and rule hits (none when voided). */
export function gradedLab(state: PatientState, chart: PatientChart, entry: RecordedEntry<LabResultRecordedData>): LabView {
  return labView(entry, entry.voided ? undefined : assessLabResult(state, chart, { eventId: entry.eventId, data: entry.current }));
}

function labView(entry: RecordedEntry<LabResultRecordedData>, assessment: LabAssessment | undefined): LabView {
  if (entry.voided || !assessment) return { ...entry, grade: null, ruleHits: [] };
  // Field by field: a spread with added fields is far slower, and this runs once per result of a long stream.
  const { eventId, original, current, voided, corrections, recordedSeq, recordedAt } = entry;
  return {
    eventId,
    original,
    current,
    voided,
    corrections,
    recordedSeq,
    ...(recordedAt ? { recordedAt } : {}),
    grade: assessment.grade,
    ruleHits: assessment.ruleHits,
  };
}
