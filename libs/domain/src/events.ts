/**
 * The trial's events: plain, serialisable, past tense, versioned (STYLE.md "The domain is data").
 * Clinical events live in one stream per patient (`patient-<patientId>`); alert events live in
 * one stream per alert (`alert-<alertId>`).
 */

/** The 14 TRANSREG diseases (transreg.md "The 14 diseases"). */
export type DiseaseCode =
  | 'RA' | 'AS' | 'SLE' | 'PSO' | 'BD' | 'GPA' | 'TAK' | 'CD' | 'UC' | 'AIH' | 'SC' | 'SS' | 'ITP' | 'SSC';

export type Sex = 'F' | 'M';

/** CDISC SDTM LBTESTCD (safety-rules.md §4), plus local codes for what has none. */
export type LabTestCode =
  | 'WBC' | 'LYM' | 'NEUT' | 'EOS' | 'PLAT' | 'HGB' | 'ALT' | 'AST' | 'BILI' | 'CREAT' | 'CRP' | 'CD4' | 'TREG_PCT';

export type SeriousnessCriterion =
  | 'death' | 'life-threatening' | 'hospitalisation' | 'disability' | 'congenital-anomaly' | 'medically-important';
export type Relatedness = 'not-related' | 'unlikely' | 'possible' | 'probable' | 'definite';
export type AdverseEventOutcome =
  | 'recovered' | 'recovering' | 'not-recovered' | 'recovered-with-sequelae' | 'fatal' | 'unknown';

export interface ReferenceRange {
  low?: number;
  high?: number;
}

/** A value in the test's canonical unit (units.ts): normalised once, when recorded. */
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

export type PatientEnrolled = { type: 'PatientEnrolled'; version: 1; data: PatientEnrolledData };
export type DoseAdministered = { type: 'DoseAdministered'; version: 1; data: DoseAdministeredData };
export type LabResultRecorded = { type: 'LabResultRecorded'; version: 1; data: LabResultRecordedData };
export type AdverseEventReported = { type: 'AdverseEventReported'; version: 1; data: AdverseEventReportedData };

export type PatientEvent = PatientEnrolled | DoseAdministered | LabResultRecorded | AdverseEventReported;
export type PatientEventType = PatientEvent['type'];

export const patientStream = (patientId: string): string => `patient-${patientId}`;
export const alertStream = (alertId: string): string => `alert-${alertId}`;
