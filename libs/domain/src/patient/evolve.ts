import type { PatientEvent } from '../events';
import { PatientFold } from './patient-fold';
import type { PatientState } from './patient-state';

/**
 * One event of a patient's stream with its stored event id. Corrections and voids name the event they
 * change by that stored id (`originalEventId`), so evolve needs it: records are keyed by it in the state.
 */
export interface StoredPatientEvent {
  eventId: string;
  event: PatientEvent;
}

/**
 * Folds one event into the state, without changing it: the state given stays as it was, and may be
 * evolved again (the new state shares its records with it, see record-journal.ts, so one step costs
 * O(1), not a copy of every record). A correction or void of an event the state does not hold cannot
 * come from `decide`; it means the stream is damaged, and evolve throws rather than show values that
 * silently ignore a recorded change.
 */
export function evolve(state: PatientState, stored: StoredPatientEvent): PatientState {
  return new PatientFold(state).apply(stored).state();
}
