import type { AdverseEventOutcome, ReferenceRange, Relatedness, SeriousnessCriterion } from '../events';

/**
 * What users ask of a patient's record. Fields come from outside (the API's DTOs), so codes are plain
 * strings here and the decider validates them against the protocol. Dates are ISO-8601 with an offset.
 * Only EnrolPatient must name the patient; the others act on the stream they are decided against
 * (a `patientId`, when given, must match it).
 */
export interface EnrolPatient {
  type: 'EnrolPatient';
  patientId: string;
  siteId: string;
  disease: string;
  sex: string;
  birthYear: number;
  weightKg: number;
  enrolledAt: string;
}

export interface RecordDose {
  type: 'RecordDose';
  patientId?: string;
  dose: number;
  unit: string;
  route: string;
  administeredAt: string;
  lot?: string;
}

export interface RecordLabResult {
  type: 'RecordLabResult';
  patientId?: string;
  test: string;
  value: number;
  unit: string;
  collectedAt: string;
  referenceRange?: ReferenceRange;
  studyDay?: number;
}

export interface ReportAdverseEvent {
  type: 'ReportAdverseEvent';
  patientId?: string;
  term: string;
  onsetAt: string;
  /** When the investigator learned of it: not before the onset, not after now; now by default. */
  awareAt?: string;
  grade: number;
  serious: boolean;
  seriousnessCriteria?: SeriousnessCriterion[];
  relatedness?: Relatedness;
  outcome?: AdverseEventOutcome;
}

/** Changes a data manager makes; `null` removes an optional field, an absent key keeps it. */
export interface LabResultChanges {
  test?: string;
  value?: number;
  unit?: string;
  collectedAt?: string;
  referenceRange?: ReferenceRange | null;
  studyDay?: number | null;
}

export interface DoseChanges {
  dose?: number;
  unit?: string;
  route?: string;
  administeredAt?: string;
  lot?: string | null;
}

export interface AdverseEventChanges {
  term?: string;
  onsetAt?: string;
  awareAt?: string;
  grade?: number;
  serious?: boolean;
  seriousnessCriteria?: SeriousnessCriterion[] | null;
  relatedness?: Relatedness | null;
  outcome?: AdverseEventOutcome | null;
}

/** `eventId` is the stored event id of the LabResultRecorded being corrected. */
export interface CorrectLabResult {
  type: 'CorrectLabResult';
  patientId?: string;
  eventId: string;
  changes: LabResultChanges;
  reason: string;
}

export interface VoidLabResult {
  type: 'VoidLabResult';
  patientId?: string;
  eventId: string;
  reason: string;
}

export interface CorrectDose {
  type: 'CorrectDose';
  patientId?: string;
  eventId: string;
  changes: DoseChanges;
  reason: string;
}

export interface VoidDose {
  type: 'VoidDose';
  patientId?: string;
  eventId: string;
  reason: string;
}

export interface CorrectAdverseEvent {
  type: 'CorrectAdverseEvent';
  patientId?: string;
  eventId: string;
  changes: AdverseEventChanges;
  reason: string;
}

export interface VoidAdverseEvent {
  type: 'VoidAdverseEvent';
  patientId?: string;
  eventId: string;
  reason: string;
}

/** The investigator's report of a serious adverse event reached the sponsor (`adverseEventId`: its AdverseEventReported). */
export interface RecordSponsorReport {
  type: 'RecordSponsorReport';
  patientId?: string;
  adverseEventId: string;
  reportedAt: string;
  reference?: string;
}

/** The sponsor's assessment of an adverse event: expectedness against the reference safety information, and causality. */
export interface AssessAdverseEvent {
  type: 'AssessAdverseEvent';
  patientId?: string;
  adverseEventId: string;
  expected: boolean;
  causality: string;
  note?: string;
}

/** A SUSAR was reported to the regulator. */
export interface RecordRegulatoryReport {
  type: 'RecordRegulatoryReport';
  patientId?: string;
  adverseEventId: string;
  reportedAt: string;
  reference?: string;
}

/** The patient's treatment status from `effectiveAt` on. */
export interface ChangeTreatmentStatus {
  type: 'ChangeTreatmentStatus';
  patientId?: string;
  status: string;
  effectiveAt: string;
  reason: string;
}

export type PatientCommand =
  | EnrolPatient
  | RecordDose
  | RecordLabResult
  | ReportAdverseEvent
  | CorrectLabResult
  | VoidLabResult
  | CorrectDose
  | VoidDose
  | CorrectAdverseEvent
  | VoidAdverseEvent
  | RecordSponsorReport
  | AssessAdverseEvent
  | RecordRegulatoryReport
  | ChangeTreatmentStatus;
export type PatientCommandType = PatientCommand['type'];

/** What decide needs besides the command and the state. */
export interface DecideContext {
  now: Date;
  /** How far in the future a clinical date may be, for clocks that disagree (default 5 minutes). */
  maxClockSkewMs?: number;
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;
