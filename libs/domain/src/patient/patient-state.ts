import type { AdverseEventReportedData, DiseaseCode, DoseAdministeredData, LabResultRecordedData, Sex } from '../events';
import { clinicalOrder, sortedByClinicalTime } from './clinical-order';
import { instantMs } from '../instant';

/**
 * A clinical record (dose, lab result, adverse event) as it stands after corrections, keyed in the
 * state by the stored event id of the event that first recorded it.
 */
export interface RecordedEntry<D> {
  eventId: string;
  /** Values as first recorded. */
  original: D;
  /** Values after every correction so far (equal to `original` when never corrected). */
  current: D;
  /** Marked entered in error: kept for the audit trail, ignored by rules. */
  voided: boolean;
  voidReason?: string;
  /** Stored event ids of the corrections applied, in order. */
  corrections: string[];
  /** Order of recording within the patient's stream (1-based stream version): a stable tie-breaker. */
  recordedSeq: number;
}

export type DoseEntry = RecordedEntry<DoseAdministeredData>;
export type LabEntry = RecordedEntry<LabResultRecordedData>;
export type AdverseEventEntry = RecordedEntry<AdverseEventReportedData>;

export interface Demographics {
  sex: Sex;
  birthYear: number;
  weightKg: number;
}

/**
 * A patient as their stream says, folded by evolve. Plain data: it serialises and compares as a plain
 * object, and one read back from JSON evolves like any other. A state evolve hands out is frozen and
 * shares its records with the states before and after it (record-journal.ts): `doses`, `labs` and
 * `adverseEvents` are built when first read.
 */
export interface PatientState {
  enrolled: boolean;
  patientId: string | null;
  trialId: string | null;
  siteId: string | null;
  disease: DiseaseCode | null;
  demographics: Demographics | null;
  enrolledAt: string | null;
  doses: Readonly<Record<string, DoseEntry>>;
  labs: Readonly<Record<string, LabEntry>>;
  adverseEvents: Readonly<Record<string, AdverseEventEntry>>;
  /** Number of events folded: the patient stream's version. */
  version: number;
}

export const initialPatientState: PatientState = Object.freeze({
  enrolled: false,
  patientId: null,
  trialId: null,
  siteId: null,
  disease: null,
  demographics: null,
  enrolledAt: null,
  doses: Object.freeze({}),
  labs: Object.freeze({}),
  adverseEvents: Object.freeze({}),
  version: 0,
}) as PatientState;

/** Entries not voided, in clinical-time order (ties by recording order). */
export function activeEntries<D>(entries: Readonly<Record<string, RecordedEntry<D>>>, at: (d: D) => string): RecordedEntry<D>[] {
  return sortedByClinicalTime(Object.values(entries).filter(notVoided), (d) => instantMs(at(d))).entries as RecordedEntry<D>[];
}

export const activeDoses = (state: PatientState): DoseEntry[] => clinicalOrder(state, 'doses').entries.filter(notVoided);
export const activeLabs = (state: PatientState): LabEntry[] => clinicalOrder(state, 'labs').entries.filter(notVoided);
export const activeAdverseEvents = (state: PatientState): AdverseEventEntry[] => clinicalOrder(state, 'adverseEvents').entries.filter(notVoided);

/** Every entry, voided ones too (they stay in the audit trail, marked), in clinical-time order (ties by recording order). */
export const dosesInClinicalOrder = (state: PatientState): DoseEntry[] => [...clinicalOrder(state, 'doses').entries];
export const labsInClinicalOrder = (state: PatientState): LabEntry[] => [...clinicalOrder(state, 'labs').entries];
export const adverseEventsInClinicalOrder = (state: PatientState): AdverseEventEntry[] => [...clinicalOrder(state, 'adverseEvents').entries];

const notVoided = <D>(entry: RecordedEntry<D>): boolean => !entry.voided;
