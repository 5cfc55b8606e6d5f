/**
 * The trial's events: plain, serialisable, past tense, versioned (docs/architecture.md "The domain is data").
 * Clinical events live in one stream per patient (`patient-<patientId>`); alert events live in
 * one stream per alert (`alert-<alertId>`).
 */

/** The 14 TRANSREG diseases (docs/protocol.md "The 14 diseases"). */
export type DiseaseCode = 'RA' | 'AS' | 'SLE' | 'PSO' | 'BD' | 'GPA' | 'TAK' | 'CD' | 'UC' | 'AIH' | 'SC' | 'SS' | 'ITP' | 'SSC';

export type Sex = 'F' | 'M';

/** CDISC SDTM LBTESTCD (docs/safety-rules.md §4), plus local codes for what has none. */
export type LabTestCode = 'WBC' | 'LYM' | 'NEUT' | 'EOS' | 'PLAT' | 'HGB' | 'ALT' | 'AST' | 'BILI' | 'CREAT' | 'CRP' | 'CD4' | 'TREG_PCT';

export type SeriousnessCriterion = 'death' | 'life-threatening' | 'hospitalisation' | 'disability' | 'congenital-anomaly' | 'medically-important';
export type Relatedness = 'not-related' | 'unlikely' | 'possible' | 'probable' | 'definite';
export type AdverseEventOutcome = 'recovered' | 'recovering' | 'not-recovered' | 'recovered-with-sequelae' | 'fatal' | 'unknown';

export interface ReferenceRange {
  low?: number;
  high?: number;
}

/** A value in the test's canonical unit (units/lab-tests.ts): normalised once, when recorded. */
export interface NormalisedValue {
  value: number;
  unit: string;
  referenceRange?: ReferenceRange;
}

export interface PatientEnrolledData {
  patientId: string;
  trialId: string;
  siteId: string;
  disease: DiseaseCode;
  sex: Sex;
  birthYear: number;
  weightKg: number;
  enrolledAt: string;
}

export interface DoseAdministeredData {
  patientId: string;
  dose: number;
  unit: string;
  route: string;
  lot?: string;
  administeredAt: string;
}

export interface LabResultRecordedData {
  patientId: string;
  test: LabTestCode;
  /** As reported by the lab (SDTM LBORRES / LBORRESU / LBORNRLO / LBORNRHI). */
  value: number;
  unit: string;
  referenceRange?: ReferenceRange;
  collectedAt: string;
  studyDay?: number;
  /** In the canonical unit of the test (SDTM LBSTRESN / LBSTRESU). */
  normalised: NormalisedValue;
}

export interface AdverseEventReportedData {
  patientId: string;
  term: string;
  onsetAt: string;
  /** CTCAE grade 1–5. */
  grade: number;
  serious: boolean;
  seriousnessCriteria?: SeriousnessCriterion[];
  relatedness?: Relatedness;
  outcome?: AdverseEventOutcome;
}

/**
 * Corrections (docs/safety-rules.md §6: a change never obscures what was recorded before). Each names the
 * original event by its stored event id, carries the values before the change, the new full values
 * and the reason. Several corrections may follow one another: `oldValues` is what was current then.
 */
export interface LabResultCorrectedData {
  patientId: string;
  originalEventId: string;
  oldValues: LabResultRecordedData;
  newValues: LabResultRecordedData;
  /** Names of the fields whose value changed (e.g. ['value', 'normalised']). */
  changedFields: string[];
  reason: string;
}

/** The record should never have existed (FHIR status `entered-in-error`): it stays in the log, voided. */
export interface LabResultEnteredInErrorData {
  patientId: string;
  originalEventId: string;
  oldValues: LabResultRecordedData;
  reason: string;
}

export interface DoseCorrectedData {
  patientId: string;
  originalEventId: string;
  oldValues: DoseAdministeredData;
  newValues: DoseAdministeredData;
  changedFields: string[];
  reason: string;
}

export interface DoseEnteredInErrorData {
  patientId: string;
  originalEventId: string;
  oldValues: DoseAdministeredData;
  reason: string;
}

export interface AdverseEventCorrectedData {
  patientId: string;
  originalEventId: string;
  oldValues: AdverseEventReportedData;
  newValues: AdverseEventReportedData;
  changedFields: string[];
  reason: string;
}

export interface AdverseEventEnteredInErrorData {
  patientId: string;
  originalEventId: string;
  oldValues: AdverseEventReportedData;
  reason: string;
}

export type PatientEnrolled = { type: 'PatientEnrolled'; version: 1; data: PatientEnrolledData };
export type DoseAdministered = { type: 'DoseAdministered'; version: 1; data: DoseAdministeredData };
/** v2 carries `normalised`; v1 (before normalisation existed) is upcast on read (upcasting.ts). */
export type LabResultRecorded = { type: 'LabResultRecorded'; version: 2; data: LabResultRecordedData };
export type AdverseEventReported = { type: 'AdverseEventReported'; version: 1; data: AdverseEventReportedData };
export type LabResultCorrected = { type: 'LabResultCorrected'; version: 1; data: LabResultCorrectedData };
export type LabResultEnteredInError = { type: 'LabResultEnteredInError'; version: 1; data: LabResultEnteredInErrorData };
export type DoseCorrected = { type: 'DoseCorrected'; version: 1; data: DoseCorrectedData };
export type DoseEnteredInError = { type: 'DoseEnteredInError'; version: 1; data: DoseEnteredInErrorData };
export type AdverseEventCorrected = { type: 'AdverseEventCorrected'; version: 1; data: AdverseEventCorrectedData };
export type AdverseEventEnteredInError = {
  type: 'AdverseEventEnteredInError';
  version: 1;
  data: AdverseEventEnteredInErrorData;
};

export type PatientEvent =
  | PatientEnrolled
  | DoseAdministered
  | LabResultRecorded
  | AdverseEventReported
  | LabResultCorrected
  | LabResultEnteredInError
  | DoseCorrected
  | DoseEnteredInError
  | AdverseEventCorrected
  | AdverseEventEnteredInError;
export type PatientEventType = PatientEvent['type'];

export type AlertSeverity = 'warning' | 'critical';

/**
 * An alert, raised once per (triggering event, rule): its id is `alertIdFor(triggeredBy, ruleId)`.
 * Numeric fields are null when the rule has no measured value (e.g. a serious adverse event).
 */
export interface AlertRaisedData {
  alertId: string;
  /** Rule id from docs/safety-rules.md (TR-PLT, SAE-24H, …) or a dose deviation id (DOSE-WINDOW, …). */
  ruleId: string;
  patientId: string;
  siteId: string;
  /** Stored event id of the event that crossed the rule. */
  triggeredBy: string;
  /** As reported (SDTM LBORRES / LBORRESU). */
  value: number | null;
  unit: string | null;
  /** In the test's canonical unit. */
  normalisedValue: number | null;
  normalisedUnit: string | null;
  threshold: number | null;
  thresholdUnit: string | null;
  /** CTCAE grade of the result, when gradable. */
  grade: number | null;
  severity: AlertSeverity;
  message: string;
  raisedAt: string;
  /** When the alert must be acted on (e.g. the SAE 24-hour reporting deadline), ISO-8601 UTC. */
  deadline?: string;
}

export interface AlertAcknowledgedData {
  alertId: string;
  by: { userId: string; name?: string; role: string };
  note?: string;
  acknowledgedAt: string;
}

export interface AlertEscalatedData {
  alertId: string;
  escalatedAt: string;
  /** How long the alert had been open, unacknowledged, when it escalated. */
  afterMs: number;
  reason: string;
}

/** docs/safety-rules.md §7: an alert whose cause is corrected away is retracted, visibly, naming the correction. */
export interface AlertRetractedData {
  alertId: string;
  correctionEventId: string;
  reason: string;
  retractedAt: string;
}

export type AlertRaised = { type: 'AlertRaised'; version: 1; data: AlertRaisedData };
export type AlertAcknowledged = { type: 'AlertAcknowledged'; version: 1; data: AlertAcknowledgedData };
export type AlertEscalated = { type: 'AlertEscalated'; version: 1; data: AlertEscalatedData };
export type AlertRetracted = { type: 'AlertRetracted'; version: 1; data: AlertRetractedData };

export type AlertEvent = AlertRaised | AlertAcknowledged | AlertEscalated | AlertRetracted;
export type AlertEventType = AlertEvent['type'];

export type VigilEvent = PatientEvent | AlertEvent;
export type VigilEventType = VigilEvent['type'];

/** The schema version new events of each type are written with; older versions are upcast on read. */
export const CURRENT_SCHEMA_VERSION: { readonly [T in VigilEventType]: Extract<VigilEvent, { type: T }>['version'] } = {
  PatientEnrolled: 1,
  DoseAdministered: 1,
  LabResultRecorded: 2,
  AdverseEventReported: 1,
  LabResultCorrected: 1,
  LabResultEnteredInError: 1,
  DoseCorrected: 1,
  DoseEnteredInError: 1,
  AdverseEventCorrected: 1,
  AdverseEventEnteredInError: 1,
  AlertRaised: 1,
  AlertAcknowledged: 1,
  AlertEscalated: 1,
  AlertRetracted: 1,
};

export const PATIENT_EVENT_TYPES = [
  'PatientEnrolled',
  'DoseAdministered',
  'LabResultRecorded',
  'AdverseEventReported',
  'LabResultCorrected',
  'LabResultEnteredInError',
  'DoseCorrected',
  'DoseEnteredInError',
  'AdverseEventCorrected',
  'AdverseEventEnteredInError',
] as const satisfies readonly PatientEventType[];

export const ALERT_EVENT_TYPES = ['AlertRaised', 'AlertAcknowledged', 'AlertEscalated', 'AlertRetracted'] as const satisfies readonly AlertEventType[];

export const isPatientEventType = (type: string): type is PatientEventType => (PATIENT_EVENT_TYPES as readonly string[]).includes(type);
export const isAlertEventType = (type: string): type is AlertEventType => (ALERT_EVENT_TYPES as readonly string[]).includes(type);

export const patientStream = (patientId: string): string => `patient-${patientId}`;
export const alertStream = (alertId: string): string => `alert-${alertId}`;
