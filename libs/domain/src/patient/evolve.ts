import type { PatientEvent } from '../events';
import type { PatientState, RecordedEntry } from './patient-state';

/**
 * One event of a patient's stream with its stored event id. Corrections and voids name the event they
 * change by that stored id (`originalEventId`), so evolve needs it: records are keyed by it in the state.
 */
export interface StoredPatientEvent {
  eventId: string;
  event: PatientEvent;
}

/**
 * Folds one event into the state, without mutating it. A correction or void of an event the state does
 * not hold cannot come from `decide`; it means the stream is damaged, and evolve throws rather than show
 * values that silently ignore a recorded change.
 */
export function evolve(state: PatientState, stored: StoredPatientEvent): PatientState {
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
