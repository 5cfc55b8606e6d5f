import type { PatientEvent } from '../events';
import { upcast } from '../upcasting';
import { PatientFold } from './patient-fold';
import { initialPatientState, type PatientState } from './patient-state';

/** A stored envelope as the EventStore returns it (StoredEvent fits). */
export interface StoredEnvelope {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** An envelope's event in its current schema version (older versions upcast on read). */
export function toPatientEvent(stored: StoredEnvelope): { eventId: string; event: PatientEvent } {
  const current = upcast(stored.type, stored.schemaVersion, stored.data);
  return { eventId: stored.eventId, event: { type: stored.type, version: current.schemaVersion, data: current.data } as PatientEvent };
}

/**
 * The patient's state from their stream, in order: the fold of evolve over the upcast events, in one
 * working copy (O(n) for n events; states in between are never built).
 */
export function replayPatient(stored: Iterable<StoredEnvelope>, from: PatientState = initialPatientState): PatientState {
  let fold: PatientFold | undefined;
  for (const envelope of stored) (fold ??= new PatientFold(from)).apply(toPatientEvent(envelope));
  return fold ? fold.state() : from;
}
