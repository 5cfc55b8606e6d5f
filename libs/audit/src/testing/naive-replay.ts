/**
 * The point-in-time replay as it was before it was made fast (each result graded alone, sorting by
 * Date.parse at every comparison, every event id in sets): only the property test
 * (replay-equivalence.spec.ts) uses it, to show the fast replay answers the same.
 */
import { assessLabResult, isPatientEventType, PatientChart, PatientState, RecordedEntry, replayPatient, ValidationError } from '@vigil/domain';
import type { LabResultRecordedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { AlertView, alertViewOf } from '../replay/alert-view';
import { PointInTime } from '../replay/point-in-time';
import type { LabView, PatientSnapshot } from '../replay/replay-patient-at';

/** Events that create a record a later correction or void names by its event id. */
const RECORDING_TYPES = new Set(['LabResultRecorded', 'DoseAdministered', 'AdverseEventReported']);

const ms = (timestamp: unknown): number => (typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN);

/**
 * Folds a patient's stream, and the events of their alerts, up to a point in time. Pure: the caller
 * reads the streams. A correction or void whose record lies beyond the point in time is left out with
 * it (its record was not there then).
 */
export function naiveReplayPatientAt(
  patientId: string,
  stream: readonly StoredEvent[],
  alertEvents: readonly StoredEvent[],
  pit: PointInTime,
): PatientSnapshot {
  const streamVersion = stream.length === 0 ? 0 : stream[stream.length - 1].streamVersion;
  if (pit.atVersion !== undefined && pit.atVersion > streamVersion) {
    throw new ValidationError('atVersion', `patient ${patientId} has ${streamVersion} events: version ${pit.atVersion} does not exist yet`);
  }
  const asOf = pit.asOf === undefined ? Infinity : ms(pit.asOf);
  const asKnownAt = pit.asKnownAt === undefined ? Infinity : ms(pit.asKnownAt);
  const atVersion = pit.atVersion ?? Infinity;

  // Which events stand at the point in time; then one fold of them by the domain (replayPatient).
  const included: StoredEvent[] = [];
  const records = new Set<string>();
  for (const event of stream) {
    if (event.streamVersion > atVersion) break;
    if (ms(event.metadata.recordedAt) > asKnownAt || ms(event.metadata.occurredAt) > asOf) continue;
    if (!isPatientEventType(event.type)) continue;
    // A correction or void of a record that was not there then is left out with it.
    const target = (event.data as { originalEventId?: unknown }).originalEventId;
    if (typeof target === 'string' && !records.has(target)) continue;
    if (RECORDING_TYPES.has(event.type)) records.add(event.eventId);
    included.push(event);
  }
  const state = replayPatient(included);
  const folded = new Set(included.map((event) => event.eventId));
  const version = included.length === 0 ? 0 : included[included.length - 1].streamVersion;

  const knownUntil = pit.atVersion === undefined ? Infinity : ms(stream[pit.atVersion - 1].metadata.recordedAt);
  const ownEvents = new Set(stream.map((event) => event.eventId));
  const alerts = alertsAt(alertEvents, { folded, ownEvents, asOf, asKnownAt, knownUntil });

  return {
    patientId,
    pointInTime: pit,
    version,
    eventsFolded: folded.size,
    streamVersion,
    enrolled: state.enrolled,
    siteId: state.siteId,
    disease: state.disease,
    demographics: state.demographics,
    enrolledAt: state.enrolledAt,
    labs: inClinicalOrder(state.labs, (lab) => lab.collectedAt).map((entry) => labView(state, entry)),
    doses: inClinicalOrder(state.doses, (dose) => dose.administeredAt),
    adverseEvents: inClinicalOrder(state.adverseEvents, (ae) => ae.onsetAt),
    alerts,
  };
}

function inClinicalOrder<D>(entries: Readonly<Record<string, RecordedEntry<D>>>, at: (d: D) => string): RecordedEntry<D>[] {
  return Object.values(entries).sort((a, b) => ms(at(a.current)) - ms(at(b.current)) || a.recordedSeq - b.recordedSeq);
}

function labView(state: PatientState, entry: RecordedEntry<LabResultRecordedData>): LabView {
  if (entry.voided) return { ...entry, grade: null, ruleHits: [] };
  const assessment = assessLabResult(state, PatientChart.of(state), { eventId: entry.eventId, data: entry.current });
  return { ...entry, grade: assessment.grade, ruleHits: assessment.ruleHits };
}

interface AlertWindow {
  /** Patient events folded into the replayed state. */
  folded: ReadonlySet<string>;
  /** Every event id of the patient's stream. */
  ownEvents: ReadonlySet<string>;
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
  if (cause !== undefined && window.ownEvents.has(cause)) return window.folded.has(cause);
  return ms(event.metadata.occurredAt) <= window.asOf && ms(event.metadata.recordedAt) <= window.knownUntil;
}

/** The patient event an alert event follows from: the result that raised it, the correction that retracted it. */
function causeOf(event: StoredEvent): string | undefined {
  const data = event.data as { triggeredBy?: unknown; correctionEventId?: unknown };
  if (event.type === 'AlertRaised' && typeof data.triggeredBy === 'string') return data.triggeredBy;
  if (event.type === 'AlertRetracted' && typeof data.correctionEventId === 'string') return data.correctionEventId;
  return undefined;
}
