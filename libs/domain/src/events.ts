/**
 * The trial's events: plain, serialisable, past tense, versioned (docs/architecture.md "The domain is data").
 * Clinical events live in one stream per patient, alert events in one stream per alert (streams.ts).
 */

/** The 14 TRANSREG diseases (docs/protocol.md "The 14 diseases"). */
export type DiseaseCode = 'RA' | 'AS' | 'SLE' | 'PSO' | 'BD' | 'GPA' | 'TAK' | 'CD' | 'UC' | 'AIH' | 'SC' | 'SS' | 'ITP' | 'SSC';

export type Sex = 'F' | 'M';

/** CDISC SDTM LBTESTCD (docs/safety-rules.md §4), plus local codes for what has none. */
export type LabTestCode = 'WBC' | 'LYM' | 'NEUT' | 'EOS' | 'PLAT' | 'HGB' | 'ALT' | 'AST' | 'ALP' | 'BILI' | 'CREAT' | 'CRP' | 'CD4' | 'TREG_PCT';

export type SeriousnessCriterion = 'death' | 'life-threatening' | 'hospitalisation' | 'disability' | 'congenital-anomaly' | 'medically-important';
/** The investigator's relatedness, and the sponsor's causality in an assessment (same scale). */
export type Relatedness = 'not-related' | 'unlikely' | 'possible' | 'probable' | 'definite';
export type AdverseEventOutcome = 'recovered' | 'recovering' | 'not-recovered' | 'recovered-with-sequelae' | 'fatal' | 'unknown';

/** Where a patient stands in the treatment (docs/protocol.md "Treatment: one drug, one arm"). */
export type TreatmentStatus = 'on-treatment' | 'suspended' | 'discontinued' | 'completed' | 'withdrawn';

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
  /** The CDISC test code (SDTM LBTESTCD), whatever code the lab sent. */
  test: LabTestCode;
  /** LOINC code of the test (docs/safety-rules.md §4), when the test has one. */
  loinc?: string;
  /** The code as the lab reported it, when it was not the CDISC code (e.g. the LOINC code `777-3`). */
  reportedTest?: string;
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
  /**
   * When the investigator learned of the event (docs/safety-rules.md §5: the SAE clock starts here).
   * Absent on events recorded before Vigil asked for it: the recording time stands in.
   */
  awareAt?: string;
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
export interface CorrectionData<D> {
  patientId: string;
  originalEventId: string;
  oldValues: D;
  newValues: D;
  /** Names of the fields whose value changed (e.g. ['value', 'normalised']). */
  changedFields: string[];
  reason: string;
}

/** The record should never have existed (FHIR status `entered-in-error`): it stays in the log, voided. */
export interface EnteredInErrorData<D> {
  patientId: string;
  originalEventId: string;
  oldValues: D;
  reason: string;
}

export type LabResultCorrectedData = CorrectionData<LabResultRecordedData>;
export type LabResultEnteredInErrorData = EnteredInErrorData<LabResultRecordedData>;
export type DoseCorrectedData = CorrectionData<DoseAdministeredData>;
export type DoseEnteredInErrorData = EnteredInErrorData<DoseAdministeredData>;
export type AdverseEventCorrectedData = CorrectionData<AdverseEventReportedData>;
export type AdverseEventEnteredInErrorData = EnteredInErrorData<AdverseEventReportedData>;

/** The investigator's report of a serious adverse event reached the sponsor: the SAE clock stops (docs/safety-rules.md §5). */
export interface SponsorReportRecordedData {
  patientId: string;
  /** Stored event id of the AdverseEventReported the report is about. */
  adverseEventId: string;
  reportedAt: string;
  reference?: string;
}

/** The sponsor's assessment of an adverse event against the reference safety information (docs/safety-rules.md §5). */
export interface AdverseEventAssessedData {
  patientId: string;
  adverseEventId: string;
  /** Whether the reaction is expected (listed in the reference safety information). */
  expected: boolean;
  causality: Relatedness;
  note?: string;
  assessedAt: string;
}

/** A SUSAR report reached the regulator: the SUSAR clock stops. */
export interface RegulatoryReportRecordedData {
  patientId: string;
  adverseEventId: string;
  reportedAt: string;
  reference?: string;
}

/** From `effectiveAt` on, the patient is in this status: after a stop no dose is expected. */
export interface TreatmentStatusChangedData {
  patientId: string;
  status: TreatmentStatus;
  effectiveAt: string;
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
export type AdverseEventEnteredInError = { type: 'AdverseEventEnteredInError'; version: 1; data: AdverseEventEnteredInErrorData };
export type SponsorReportRecorded = { type: 'SponsorReportRecorded'; version: 1; data: SponsorReportRecordedData };
export type AdverseEventAssessed = { type: 'AdverseEventAssessed'; version: 1; data: AdverseEventAssessedData };
export type RegulatoryReportRecorded = { type: 'RegulatoryReportRecorded'; version: 1; data: RegulatoryReportRecordedData };
export type TreatmentStatusChanged = { type: 'TreatmentStatusChanged'; version: 1; data: TreatmentStatusChangedData };

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
  | AdverseEventEnteredInError
  | SponsorReportRecorded
  | AdverseEventAssessed
  | RegulatoryReportRecorded
  | TreatmentStatusChanged;
export type PatientEventType = PatientEvent['type'];

export type AlertSeverity = 'warning' | 'critical';

/**
 * An alert, raised once per (what it is about, rule): its id is `alertIdFor(triggeredBy, ruleId)`.
 * Numeric fields are null when the rule has no measured value (e.g. a serious adverse event).
 */
export interface AlertRaisedData {
  alertId: string;
  /** A rule id of the catalogue (rules/catalogue.ts): TR-PLT, CTCAE-LAB, SAE-24H, DOSE-MISSED, … */
  ruleId: string;
  patientId: string;
  siteId: string;
  /**
   * Stored event id of the event that crossed the rule (a record, or the correction that made it cross);
   * for a missed dose, the due date's key (`dueDoseKey`), there being no event.
   */
  triggeredBy: string;
  /**
   * What the alert is about, stable across corrections: `lab/<record id>`, `dose/<record id>`, `ae/<record id>`,
   * `hy-law/<result id>`, `due/<due day>` (safety/judge.ts). Absent on alerts raised before it was recorded.
   */
  subject?: string;
  /** As reported (SDTM LBORRES / LBORRESU). */
  value: number | null;
  unit: string | null;
  /** In the test's canonical unit. */
  normalisedValue: number | null;
  normalisedUnit: string | null;
  threshold: number | null;
  thresholdUnit: string | null;
  /** CTCAE grade of the result or event, when gradable. */
  grade: number | null;
  severity: AlertSeverity;
  message: string;
  raisedAt: string;
  /** When the alert must be acted on (the SAE 24-hour or SUSAR reporting deadline…), ISO-8601 UTC. */
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

/** What an update can change of a standing alert. */
export interface AlertFigures {
  value: number | null;
  unit: string | null;
  normalisedValue: number | null;
  normalisedUnit: string | null;
  grade: number | null;
  severity: AlertSeverity;
  message: string;
  deadline?: string;
}

/** A correction changed what a standing alert shows: its value, grade, severity or deadline (never its rule). */
export interface AlertUpdatedData {
  alertId: string;
  patientId: string;
  ruleId: string;
  previous: AlertFigures;
  current: AlertFigures;
  /** Stored event id of the event (a correction, a later result, an assessment…) that changed it. */
  correctionEventId: string;
  reason: string;
  updatedAt: string;
}

/** The report an alert asked for was recorded (SAE to the sponsor, SUSAR to the regulator): its clock is closed. */
export interface AlertClosedData {
  alertId: string;
  closedAt: string;
  reportedAt: string;
  /** The report came after the alert's deadline. */
  late: boolean;
  reference?: string;
  /** Stored event id of the report's event in the patient stream. */
  byEventId: string;
}

export type AlertRaised = { type: 'AlertRaised'; version: 1; data: AlertRaisedData };
export type AlertAcknowledged = { type: 'AlertAcknowledged'; version: 1; data: AlertAcknowledgedData };
export type AlertEscalated = { type: 'AlertEscalated'; version: 1; data: AlertEscalatedData };
export type AlertRetracted = { type: 'AlertRetracted'; version: 1; data: AlertRetractedData };
export type AlertUpdated = { type: 'AlertUpdated'; version: 1; data: AlertUpdatedData };
export type AlertClosed = { type: 'AlertClosed'; version: 1; data: AlertClosedData };

export type AlertEvent = AlertRaised | AlertAcknowledged | AlertEscalated | AlertRetracted | AlertUpdated | AlertClosed;
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
  SponsorReportRecorded: 1,
  AdverseEventAssessed: 1,
  RegulatoryReportRecorded: 1,
  TreatmentStatusChanged: 1,
  AlertRaised: 1,
  AlertAcknowledged: 1,
  AlertEscalated: 1,
  AlertRetracted: 1,
  AlertUpdated: 1,
  AlertClosed: 1,
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
  'SponsorReportRecorded',
  'AdverseEventAssessed',
  'RegulatoryReportRecorded',
  'TreatmentStatusChanged',
] as const satisfies readonly PatientEventType[];

export const ALERT_EVENT_TYPES = [
  'AlertRaised',
  'AlertAcknowledged',
  'AlertEscalated',
  'AlertRetracted',
  'AlertUpdated',
  'AlertClosed',
] as const satisfies readonly AlertEventType[];

export const isPatientEventType = (type: string): type is PatientEventType => (PATIENT_EVENT_TYPES as readonly string[]).includes(type);
export const isAlertEventType = (type: string): type is AlertEventType => (ALERT_EVENT_TYPES as readonly string[]).includes(type);
