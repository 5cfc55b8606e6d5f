import {
  ALERT_STREAM_PREFIX,
  instantMs,
  isAlertEventType,
  isPatientEventType,
  PATIENT_STREAM_PREFIX,
  PatientFold,
  severityRose,
  toPatientEvent,
  type AlertEvent,
  type AlertSeverity,
  type AlertStatus,
  type LabResultRecordedData,
  type LabTestCode,
  type ReferenceRange,
} from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';

/**
 * One lab result as the trial-wide derivations need it: canonical value and the lab's range, clinical time,
 * recording order. Far smaller than a patient state's entry (which keeps original and current values), so a
 * fold over a million results stays small (docs/interchange.md "Reading the log").
 */
export interface LabPoint {
  eventId: string;
  test: LabTestCode;
  /** In the test's canonical unit (SDTM LBSTRESN). */
  value: number;
  /** The lab's range in the canonical unit (the recorded object itself: nothing is copied per result). */
  range: ReferenceRange | undefined;
  /** Clinical time (collection), ms. */
  time: number;
  /** Order of recording in the patient's stream: the tie-breaker of equal times. */
  seq: number;
  voided: boolean;
}

/** One alert, compact: what the report counts and times. */
export interface AlertTrack {
  alertId: string;
  ruleId: string;
  patientId: string;
  siteId: string;
  severity: AlertSeverity;
  raisedMs: number;
  /** The first acknowledgement, ms (an alert opened again by a rise in severity keeps its first). */
  acknowledgedMs: number | null;
  status: AlertStatus;
}

export interface PatientTrack {
  /** The patient's stream folded (lab results apart in `compact` mode: see `labs`). */
  fold: PatientFold;
  /** Compact mode: the lab results, by the event id that first recorded them. */
  labs: Map<string, LabPoint>;
  /** Events of the patient taken in so far: what a cache of derived facts compares to know they still hold. */
  changes: number;
}

export interface TrialFoldOptions {
  /**
   * `compact` (the safety report): lab results are kept as LabPoints, not in the patient state.
   * `full` (exports, FHIR): every record in the patient state, with its corrections and voids.
   */
  labs: 'compact' | 'full';
  /** Events recorded (metadata.recordedAt) after this instant are left out: the trial as Vigil knew it then. */
  asOfMs?: number;
}

/**
 * The trial folded from the log: each patient's stream, each alert's stream, up to a log position and as
 * known at `asOfMs`. Advanced event by event (`apply`), so it can follow the log; `position` is the last
 * event it took in, `positionRecordedAt` that event's recording time (what an export carries as its creation
 * time: the same position gives the same bytes).
 */
export class TrialFold {
  readonly patients = new Map<string, PatientTrack>();
  readonly alerts = new Map<string, AlertTrack>();
  /** Global position of the last event included (0: none). */
  position = 0;
  positionRecordedAt: string | null = null;
  /** How far the log was read (included or not): the next read starts after it. */
  readTo = 0;
  /** The latest recording time among the events included, ms. */
  latestRecordedMs = -Infinity;

  constructor(readonly options: TrialFoldOptions) {}

  /** Takes in one stored event of the log (in global order); events of other streams are read past. */
  apply(stored: StoredEvent): void {
    if (stored.globalPosition > this.readTo) this.readTo = stored.globalPosition;
    const isPatient = stored.streamId.startsWith(PATIENT_STREAM_PREFIX) && isPatientEventType(stored.type);
    const isAlert = !isPatient && stored.streamId.startsWith(ALERT_STREAM_PREFIX) && isAlertEventType(stored.type);
    if (!isPatient && !isAlert) return;
    const recordedAt = stored.metadata.recordedAt;
    const recordedMs = instantMs(recordedAt);
    if (this.options.asOfMs !== undefined && recordedMs > this.options.asOfMs) return;
    if (isPatient) this.applyPatient(stored);
    else this.applyAlert(stored.data as AlertEvent['data'], stored.type as AlertEvent['type'], stored.metadata.recordedAt);
    if (stored.globalPosition > this.position) {
      this.position = stored.globalPosition;
      this.positionRecordedAt = recordedAt;
    }
    if (recordedMs > this.latestRecordedMs) this.latestRecordedMs = recordedMs;
  }

  /** The patients folded, enrolled ones only, by patient id. */
  enrolledPatients(): PatientTrack[] {
    return [...this.patients.values()]
      .filter((track) => track.fold.state.enrolled)
      .sort((a, b) => compareText(a.fold.state.patientId ?? '', b.fold.state.patientId ?? ''));
  }

  private applyPatient(stored: StoredEvent): void {
    const patientId = stored.streamId.slice(PATIENT_STREAM_PREFIX.length);
    let track = this.patients.get(patientId);
    if (!track) this.patients.set(patientId, (track = { fold: new PatientFold(), labs: new Map(), changes: 0 }));
    track.changes++;
    const event = toPatientEvent(stored);
    if (this.options.labs === 'compact') {
      const { type } = event.event;
      const seq = stored.streamVersion;
      if (type === 'LabResultRecorded') {
        track.labs.set(stored.eventId, labPoint(stored.eventId, event.event.data, seq));
        return;
      }
      if (type === 'LabResultCorrected') {
        const point = track.labs.get(event.event.data.originalEventId);
        if (point) track.labs.set(point.eventId, { ...labPoint(point.eventId, event.event.data.newValues, point.seq), voided: point.voided });
        return;
      }
      if (type === 'LabResultEnteredInError') {
        const point = track.labs.get(event.event.data.originalEventId);
        if (point) point.voided = true;
        return;
      }
    }
    track.fold.apply(event);
  }

  private applyAlert(data: AlertEvent['data'], type: AlertEvent['type'], recordedAt: string): void {
    const alert = this.alerts.get(data.alertId);
    switch (type) {
      case 'AlertRaised': {
        const raised = data as Extract<AlertEvent, { type: 'AlertRaised' }>['data'];
        this.alerts.set(raised.alertId, {
          alertId: raised.alertId,
          ruleId: raised.ruleId,
          patientId: raised.patientId,
          siteId: raised.siteId,
          severity: raised.severity,
          raisedMs: instantMs(raised.raisedAt ?? recordedAt),
          acknowledgedMs: null,
          status: 'open',
        });
        return;
      }
      case 'AlertAcknowledged': {
        if (!alert) return;
        const ack = data as Extract<AlertEvent, { type: 'AlertAcknowledged' }>['data'];
        if (alert.acknowledgedMs === null) alert.acknowledgedMs = instantMs(ack.acknowledgedAt);
        if (alert.status === 'open') alert.status = 'acknowledged';
        return;
      }
      case 'AlertUpdated': {
        if (!alert) return;
        const update = data as Extract<AlertEvent, { type: 'AlertUpdated' }>['data'];
        alert.severity = update.current.severity;
        // As the alert's own fold (evolveAlert): an acknowledged alert whose severity rises is open again.
        if (severityRose(update) && alert.status === 'acknowledged') alert.status = 'open';
        return;
      }
      case 'AlertRetracted':
        if (alert) alert.status = 'retracted';
        return;
      case 'AlertClosed':
        if (alert && alert.status !== 'retracted') alert.status = 'closed';
        return;
      default:
        return;
    }
  }
}

function labPoint(eventId: string, data: LabResultRecordedData, seq: number): LabPoint {
  const { normalised } = data;
  return {
    eventId,
    test: data.test,
    value: normalised.value,
    range: normalised.referenceRange,
    time: instantMs(data.collectedAt),
    seq,
    voided: false,
  };
}

/** Code-point order, the same on every machine (localeCompare is not). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
