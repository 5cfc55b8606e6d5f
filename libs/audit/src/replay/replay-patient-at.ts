import {
  adverseEventsInClinicalOrder,
  assessLabResult,
  PatientChart,
  dosesInClinicalOrder,
  instantMs,
  isPatientEventType,
  LabAssessment,
  LabGrade,
  labsInClinicalOrder,
  PatientState,
  RecordedEntry,
  replayPatient,
  RuleHit,
  ValidationError,
} from '@vigil/domain';
import type { AdverseEventReportedData, DoseAdministeredData, LabResultRecordedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { AlertView, alertViewOf } from './alert-view';
import { PointInTime } from './point-in-time';

export interface LabView extends RecordedEntry<LabResultRecordedData> {
  /** CTCAE grade of the current values, against what was known at the point in time (null when voided). */
  grade: LabGrade | null;
  /** Protocol thresholds the current values cross (TR-PLT…). */
  ruleHits: RuleHit[];
}

/** A patient as they were at a point in time: what `GET /patients/:patientId/state` answers. */
export interface PatientSnapshot {
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
  /** In clinical-time order, voided entries included (marked). */
  labs: LabView[];
  doses: RecordedEntry<DoseAdministeredData>[];
  adverseEvents: RecordedEntry<AdverseEventReportedData>[];
  alerts: AlertView[];
}

/** Events that create a record a later correction or void names by its event id. */
const RECORDING_TYPES = new Set(['LabResultRecorded', 'DoseAdministered', 'AdverseEventReported']);

const ms = (timestamp: unknown): number => (typeof timestamp === 'string' ? instantMs(timestamp) : Number.NaN);

/**
 * Folds a patient's stream, and the events of their alerts, up to a point in time. Pure: the caller
 * reads the streams. A correction or void whose record lies beyond the point in time is left out with
 * it (its record was not there then).
 */
export function replayPatientAt(patientId: string, stream: readonly StoredEvent[], alertEvents: readonly StoredEvent[], pit: PointInTime): PatientSnapshot {
  const streamVersion = stream.length === 0 ? 0 : stream[stream.length - 1].streamVersion;
  if (pit.atVersion !== undefined && pit.atVersion > streamVersion) {
    throw new ValidationError('atVersion', `patient ${patientId} has ${streamVersion} events: version ${pit.atVersion} does not exist yet`);
  }
  const asOf = pit.asOf === undefined ? Infinity : ms(pit.asOf);
  const asKnownAt = pit.asKnownAt === undefined ? Infinity : ms(pit.asKnownAt);
  const atVersion = pit.atVersion ?? Infinity;

  // Which events stand at the point in time; then one fold of them by the domain (replayPatient).
  // Times are read only against the bounds given: a replay of everything parses none.
  const causes = alertCauses(alertEvents);
  const causesFolded = new Map<string, boolean>();
  const included: StoredEvent[] = [];
  const records = new Set<string>();
  for (const event of stream) {
    const stands = standsAt(event, records, atVersion, asOf, asKnownAt);
    if (stands) {
      if (RECORDING_TYPES.has(event.type)) records.add(event.eventId);
      included.push(event);
    }
    if (causes.has(event.eventId)) causesFolded.set(event.eventId, stands);
  }
  const state = replayPatient(included);
  const version = included.length === 0 ? 0 : included[included.length - 1].streamVersion;

  const knownUntil = pit.atVersion === undefined ? Infinity : ms(stream[pit.atVersion - 1].metadata.recordedAt);
  const alerts = alertsAt(alertEvents, { causesFolded, asOf, asKnownAt, knownUntil });

  return {
    patientId,
    pointInTime: pit,
    version,
    eventsFolded: included.length,
    streamVersion,
    enrolled: state.enrolled,
    siteId: state.siteId,
    disease: state.disease,
    demographics: state.demographics,
    enrolledAt: state.enrolledAt,
    labs: labViews(state),
    doses: dosesInClinicalOrder(state),
    adverseEvents: adverseEventsInClinicalOrder(state),
    alerts,
  };
}

/** Whether a patient event is in the state at the point in time. */
function standsAt(event: StoredEvent, records: ReadonlySet<string>, atVersion: number, asOf: number, asKnownAt: number): boolean {
  if (event.streamVersion > atVersion) return false;
  if (asKnownAt !== Infinity && ms(event.metadata.recordedAt) > asKnownAt) return false;
  if (asOf !== Infinity && ms(event.metadata.occurredAt) > asOf) return false;
  if (!isPatientEventType(event.type)) return false;
  // A correction or void of a record that was not there then is left out with it.
  const target = (event.data as { originalEventId?: unknown }).originalEventId;
  return typeof target !== 'string' || records.has(target);
}

/** Every result with its grade and rule hits, graded through one chart of the state (its baselines found by binary search). */
function labViews(state: PatientState): LabView[] {
  const chart = PatientChart.of(state);
  return labsInClinicalOrder(state).map((entry) =>
    labView(entry, entry.voided ? undefined : assessLabResult(state, chart, { eventId: entry.eventId, data: entry.current })),
  );
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

interface AlertWindow {
  /** The patient events alert events follow from, by whether they were folded into the replayed state. */
  causesFolded: ReadonlyMap<string, boolean>;
  asOf: number;
  asKnownAt: number;
  /** With atVersion: when the event at that version was recorded. */
  knownUntil: number;
}

/**
 * The patient's alerts at the point in time. An alert stands when the event that raised it is in the
 * replayed state; its retraction when the correction behind it is; acknowledgements and escalations by
 * their own clinical and recording times. With `asKnownAt`, nothing recorded later counts.
 */
function alertsAt(alertEvents: readonly StoredEvent[], window: AlertWindow): AlertView[] {
  const byStream = new Map<string, StoredEvent[]>();
  for (const event of alertEvents) {
    if (!inWindow(event, window)) continue;
    const events = byStream.get(event.streamId) ?? [];
    events.push(event);
    byStream.set(event.streamId, events);
  }
  const views: AlertView[] = [];
  for (const events of byStream.values()) {
    events.sort((a, b) => a.streamVersion - b.streamVersion);
    const view = alertViewOf(events);
    if (view) views.push(view);
  }
  return views.sort((a, b) => ms(a.raisedAt) - ms(b.raisedAt) || a.alertId.localeCompare(b.alertId));
}

function inWindow(event: StoredEvent, window: AlertWindow): boolean {
  if (ms(event.metadata.recordedAt) > window.asKnownAt) return false;
  const cause = causeOf(event);
  const folded = cause === undefined ? undefined : window.causesFolded.get(cause);
  if (folded !== undefined) return folded;
  return ms(event.metadata.occurredAt) <= window.asOf && ms(event.metadata.recordedAt) <= window.knownUntil;
}

/** The events alert events follow from (any stream's: those of the patient's stream are found as it is read). */
function alertCauses(alertEvents: readonly StoredEvent[]): Set<string> {
  const causes = new Set<string>();
  for (const event of alertEvents) {
    const cause = causeOf(event);
    if (cause !== undefined) causes.add(cause);
  }
  return causes;
}

/** The patient event an alert event follows from: the result that raised it, the correction that retracted it. */
function causeOf(event: StoredEvent): string | undefined {
  const data = event.data as { triggeredBy?: unknown; correctionEventId?: unknown };
  if (event.type === 'AlertRaised' && typeof data.triggeredBy === 'string') return data.triggeredBy;
  if (event.type === 'AlertRetracted' && typeof data.correctionEventId === 'string') return data.correctionEventId;
  return undefined;
}
