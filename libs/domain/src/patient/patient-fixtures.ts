import type { PatientEvent } from '../events';
import type { EnrolPatient, PatientCommand } from './commands';
import { decide } from './decide';
import { evolve } from './evolve';
import { initialPatientState, type PatientState } from './patient-state';

/** Given/when/then for the patient decider, in tests: event ids are e1, e2, … in stream order. */
export const NOW = new Date('2024-06-01T12:00:00Z');

export const enrolment = (overrides: Partial<EnrolPatient> = {}): EnrolPatient => ({
  type: 'EnrolPatient',
  patientId: 'P-001',
  siteId: 'PSL',
  disease: 'RA',
  sex: 'F',
  birthYear: 1970,
  weightKg: 60,
  enrolledAt: '2024-01-10T09:00:00Z',
  ...overrides,
});

export interface History {
  state: PatientState;
  ids: string[];
}

/** Folds commands one after another through decide and evolve, as the API would. */
export function given(...commands: PatientCommand[]): History {
  let state = initialPatientState;
  const ids: string[] = [];
  for (const command of commands) {
    for (const event of decide(command, state, { now: NOW })) {
      const eventId = `e${state.version + 1}`;
      ids.push(eventId);
      state = evolve(state, { eventId, event });
    }
  }
  return { state, ids };
}

export function givenEvents(...events: PatientEvent[]): PatientState {
  return events.reduce((state, event, i) => evolve(state, { eventId: `e${i + 1}`, event }), initialPatientState);
}
