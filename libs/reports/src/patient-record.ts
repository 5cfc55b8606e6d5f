import {
  activeAdverseEvents,
  assessLabResult,
  dosesInClinicalOrder,
  labsInClinicalOrder,
  PatientChart,
  type AdverseEventEntry,
  type DoseEntry,
  type LabAssessment,
  type LabEntry,
  type PatientState,
} from '@vigil/domain';

/**
 * One patient's records as the exports write them (SDTM rows, the FHIR bundle): each kind in clinical order
 * (ties by recording order), adverse events not voided, each lab result assessed by the rules the alerting
 * reactor judges with. Doses and lab results keep their voided entries: an export decides what to show of them.
 */
export class PatientRecord {
  readonly chart: PatientChart;
  readonly doses: DoseEntry[];
  readonly labs: LabEntry[];
  readonly adverseEvents: AdverseEventEntry[];

  constructor(readonly state: PatientState) {
    this.chart = PatientChart.of(state);
    this.doses = dosesInClinicalOrder(state);
    this.labs = labsInClinicalOrder(state);
    this.adverseEvents = activeAdverseEvents(state);
  }

  /** The result's grade, baseline and rule hits, with its current (corrected) values. */
  assessment(entry: LabEntry): LabAssessment {
    return assessLabResult(this.state, this.chart, { eventId: entry.eventId, data: entry.current });
  }
}

/** An adverse event's severity from its CTCAE grade: 1 mild, 2 moderate, 3 and above severe (docs/safety-rules.md §5). */
export const severityOfGrade = (grade: number): 'mild' | 'moderate' | 'severe' => (grade <= 1 ? 'mild' : grade === 2 ? 'moderate' : 'severe');
