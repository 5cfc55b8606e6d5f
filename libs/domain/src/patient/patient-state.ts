import type { AdverseEventReportedData, DiseaseCode, DoseAdministeredData, LabResultRecordedData, Relatedness, Sex, TreatmentStatus } from '../events';

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
  /** When Vigil recorded it (UTC), when the event's envelope was given to the fold. */
  recordedAt?: string;
}

export type DoseEntry = RecordedEntry<DoseAdministeredData>;
export type LabEntry = RecordedEntry<LabResultRecordedData>;
export type AdverseEventEntry = RecordedEntry<AdverseEventReportedData>;

/** The three kinds of clinical record a patient state holds, by their field in the state. */
export interface RecordData {
  doses: DoseAdministeredData;
  labs: LabResultRecordedData;
  adverseEvents: AdverseEventReportedData;
}
export type RecordKind = keyof RecordData;
export const RECORD_KINDS: readonly RecordKind[] = ['doses', 'labs', 'adverseEvents'];

/** The clinical time of each kind of record: administration, collection, onset. Defined once. */
export const CLINICAL_TIME_FIELD = { doses: 'administeredAt', labs: 'collectedAt', adverseEvents: 'onsetAt' } as const satisfies {
  [K in RecordKind]: keyof RecordData[K];
};

export const clinicalTimeOfRecord = <K extends RecordKind>(kind: K, data: RecordData[K]): string =>
  (data as unknown as Record<string, string>)[CLINICAL_TIME_FIELD[kind]];

export interface Demographics {
  sex: Sex;
  birthYear: number;
  weightKg: number;
}

/** A report about an adverse event (to the sponsor or to the regulator), with the event that recorded it. */
export interface ReportEntry {
  eventId: string;
  reportedAt: string;
  reference?: string;
  recordedAt?: string;
}

/** The sponsor's assessment of an adverse event, with the event that recorded it. */
export interface AssessmentEntry {
  eventId: string;
  expected: boolean;
  causality: Relatedness;
  note?: string;
  assessedAt: string;
}

/** What followed an adverse event's report, per adverse event (keyed by its record's event id). */
export interface AdverseEventFollowUp {
  /** Reports to the sponsor, in recording order (the first one stops the SAE clock). */
  sponsorReports: ReportEntry[];
  /** The sponsor's assessments, in recording order (the last one stands). */
  assessments: AssessmentEntry[];
  /** Reports to the regulator, in recording order (the first one stops the SUSAR clock). */
  regulatoryReports: ReportEntry[];
}

export interface TreatmentStatusEntry {
  eventId: string;
  status: TreatmentStatus;
  effectiveAt: string;
  reason: string;
  recordedSeq: number;
}

/**
 * A patient as their stream says, folded by `evolve` (or a `PatientFold`). Plain data: it serialises and
 * compares as a plain object. Records are keyed by the stored event id that first recorded them.
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
  followUps: Readonly<Record<string, AdverseEventFollowUp>>;
  /** Treatment status changes, in recording order (see `treatmentStatusAt`). */
  treatment: readonly TreatmentStatusEntry[];
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
  followUps: Object.freeze({}),
  treatment: Object.freeze([]),
  version: 0,
}) as PatientState;

/** One record of the state by the event id that first recorded it. */
export function recordOf<K extends RecordKind>(state: PatientState, kind: K, id: string): RecordedEntry<RecordData[K]> | undefined {
  const records = state[kind] as Readonly<Record<string, RecordedEntry<RecordData[K]>>>;
  return Object.prototype.hasOwnProperty.call(records, id) ? records[id] : undefined;
}

/** The records of a kind, in clinical-time order (ties by recording order), voided ones included (marked). */
export function inClinicalOrder<K extends RecordKind>(state: PatientState, kind: K): RecordedEntry<RecordData[K]>[] {
  const timed = Object.values(state[kind] as Readonly<Record<string, RecordedEntry<RecordData[K]>>>).map((entry) => ({
    entry,
    time: Date.parse(clinicalTimeOfRecord(kind, entry.current)),
  }));
  timed.sort((a, b) => a.time - b.time || a.entry.recordedSeq - b.entry.recordedSeq);
  return timed.map((t) => t.entry);
}

const notVoided = <D>(entry: RecordedEntry<D>): boolean => !entry.voided;

export const activeDoses = (state: PatientState): DoseEntry[] => inClinicalOrder(state, 'doses').filter(notVoided);
export const activeLabs = (state: PatientState): LabEntry[] => inClinicalOrder(state, 'labs').filter(notVoided);
export const activeAdverseEvents = (state: PatientState): AdverseEventEntry[] => inClinicalOrder(state, 'adverseEvents').filter(notVoided);

/** Every entry, voided ones too (they stay in the audit trail, marked), in clinical-time order (ties by recording order). */
export const dosesInClinicalOrder = (state: PatientState): DoseEntry[] => inClinicalOrder(state, 'doses');
export const labsInClinicalOrder = (state: PatientState): LabEntry[] => inClinicalOrder(state, 'labs');
export const adverseEventsInClinicalOrder = (state: PatientState): AdverseEventEntry[] => inClinicalOrder(state, 'adverseEvents');

export const followUpOf = (state: PatientState, adverseEventId: string): AdverseEventFollowUp =>
  (Object.prototype.hasOwnProperty.call(state.followUps, adverseEventId) ? state.followUps[adverseEventId] : undefined) ?? NO_FOLLOW_UP;

const NO_FOLLOW_UP: AdverseEventFollowUp = Object.freeze({ sponsorReports: [], assessments: [], regulatoryReports: [] }) as AdverseEventFollowUp;

/**
 * The patient's treatment status at a moment: the last status change effective on or before it (ties by
 * recording order), `on-treatment` before any. A status recorded late still counts from its `effectiveAt`.
 */
export function treatmentStatusAt(state: PatientState, atMs: number): TreatmentStatus {
  let best: TreatmentStatusEntry | undefined;
  let bestMs = -Infinity;
  for (const change of state.treatment) {
    const ms = Date.parse(change.effectiveAt);
    if (ms > atMs) continue;
    if (ms > bestMs || (ms === bestMs && best !== undefined && change.recordedSeq > best.recordedSeq)) {
      best = change;
      bestMs = ms;
    }
  }
  return best?.status ?? 'on-treatment';
}
