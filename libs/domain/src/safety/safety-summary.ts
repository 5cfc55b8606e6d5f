import type {
  AdverseEventOutcome,
  DiseaseCode,
  DoseCompliance,
  DoseDeviation,
  GradeBasis,
  LabTestCode,
  ReferenceRange,
  Relatedness,
  SeriousnessCriterion,
} from '@vigil/domain';
import type { AlertView } from '../alerts/alert-view';

/** SDTM LBNRIND: where the value sits against the lab's own reference range. */
export type NormalRangeIndicator = 'LOW' | 'NORMAL' | 'HIGH';

export interface LabValue {
  /** Stored event id of the record (corrections keep it). */
  eventId: string;
  /** As reported. */
  value: number;
  unit: string;
  /** In the test's canonical unit. */
  normalisedValue: number;
  normalisedUnit: string;
  referenceRange?: ReferenceRange;
  collectedAt: string;
  studyDay?: number;
  corrected: boolean;
}

/** A test's latest result, graded and judged against the protocol thresholds. */
export interface LabSummary {
  test: LabTestCode;
  latest: LabValue;
  /** CTCAE v5.0 grade (docs/safety-rules.md §2); null when ungradable. */
  grade: number | null;
  gradeBasis: GradeBasis | null;
  ungradableReason?: string;
  /** Reference-range indicator, then the protocol rules the latest value crosses (e.g. ['LOW', 'TR-PLT']). */
  flags: string[];
  /** Rules that could not be judged for this value, and why (e.g. TR-ALT for an AIH patient). */
  notEvaluated: { ruleId: string; reason: string }[];
  /** The patient's baseline (last value on or before the first dose), in the canonical unit. */
  baseline: { value: number; unit: string; referenceRange?: ReferenceRange } | null;
  /** Cockcroft-Gault creatinine clearance of the latest creatinine. */
  crclMlMin?: number;
}

export interface AdverseEventSummary {
  eventId: string;
  term: string;
  onsetAt: string;
  grade: number;
  serious: boolean;
  seriousnessCriteria: SeriousnessCriterion[];
  relatedness?: Relatedness;
  outcome?: AdverseEventOutcome;
  corrected: boolean;
  /** The 24-hour SAE reporting deadline (docs/safety-rules.md §5), for a serious event. */
  saeReportingDeadline?: string;
  /** The SAE-24H alert of this event. */
  saeAlertId?: string;
}

/** What a safety officer needs to see of one patient at a glance. */
export interface PatientSafetySummary {
  patientId: string;
  siteId: string | null;
  disease: DiseaseCode | null;
  /** The moment dose compliance and missed doses are reckoned at. */
  asOf: string;
  /** Global position of the patient's last event the summary reflects. */
  position: number;
  labs: LabSummary[];
  openAlerts: AlertView[];
  doses: { compliance: DoseCompliance; missed: DoseDeviation[] };
  adverseEvents: AdverseEventSummary[];
}
