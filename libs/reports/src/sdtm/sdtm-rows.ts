import {
  adverseEventsInClinicalOrder,
  assessLabResult,
  dosesInClinicalOrder,
  LAB_TESTS,
  labsInClinicalOrder,
  PatientChart,
  TRANSREG,
  utcDayNumber,
  type AdverseEventOutcome,
  type PatientState,
  type Relatedness,
  type SeriousnessCriterion,
} from '@vigil/domain';
import type { PatientTrack } from '../log/trial-fold';
import type { SdtmDomain } from './sdtm-variables';

export type SdtmValue = string | number | null;
export type SdtmRow = SdtmValue[];

/** USUBJID: the trial id and the trial patient code (docs/interchange.md "SDTM"). */
export const usubjid = (trialId: string, patientId: string): string => `${trialId}-${patientId}`;

// CDISC controlled terminology for the values Vigil records in its own words (docs/interchange.md "SDTM").
const ROUTE: Record<string, string> = { SC: 'SUBCUTANEOUS', IV: 'INTRAVENOUS', IM: 'INTRAMUSCULAR', PO: 'ORAL' };
const RELATEDNESS: Record<Relatedness, string> = {
  'not-related': 'NOT RELATED',
  unlikely: 'UNLIKELY RELATED',
  possible: 'POSSIBLY RELATED',
  probable: 'PROBABLY RELATED',
  definite: 'RELATED',
};
const OUTCOME: Record<AdverseEventOutcome, string> = {
  recovered: 'RECOVERED/RESOLVED',
  recovering: 'RECOVERING/RESOLVING',
  'not-recovered': 'NOT RECOVERED/NOT RESOLVED',
  'recovered-with-sequelae': 'RECOVERED/RESOLVED WITH SEQUELAE',
  fatal: 'FATAL',
  unknown: 'UNKNOWN',
};
const SERIOUSNESS_FLAGS: readonly SeriousnessCriterion[] = [
  'death',
  'life-threatening',
  'hospitalisation',
  'disability',
  'congenital-anomaly',
  'medically-important',
];

/** CTCAE grade → AESEV: 1 mild, 2 moderate, 3 and above severe (docs/safety-rules.md §5: grade 3 or more is severe). */
const severityOf = (grade: number): string => (grade <= 1 ? 'MILD' : grade === 2 ? 'MODERATE' : 'SEVERE');

/** SDTM study day: Day 1 is the reference start date, the day before it is Day -1 (there is no Day 0). */
export function studyDay(instant: string, day1: number | null): number | null {
  if (day1 === null) return null;
  const day = utcDayNumber(instant);
  return day >= day1 ? day - day1 + 1 : day - day1;
}

const yesNo = (flag: boolean): string => (flag ? 'Y' : 'N');
const text = (value: number | undefined): string | null => (value === undefined ? null : String(value));

/** The rows of one SDTM domain for one patient (records voided are left out; corrected ones show as corrected). */
export function sdtmRowsOf(domain: SdtmDomain, track: PatientTrack, trialId: string): SdtmRow[] {
  const state = track.fold.state;
  const chart = PatientChart.of(state);
  const firstDose = chart.firstDose();
  const day1 = firstDose ? utcDayNumber(firstDose.time) : null;
  const id = [trialId, domain, usubjid(trialId, state.patientId as string)];
  switch (domain) {
    case 'DM':
      return [dmRow(state, id, firstDose ? firstDose.entry.current.administeredAt : null)];
    case 'EX':
      return dosesInClinicalOrder(state)
        .filter((entry) => !entry.voided)
        .map((entry, i) => {
          const dose = entry.current;
          return [
            ...id,
            i + 1,
            TRANSREG.treatment.drug.split(' ')[0].toUpperCase(),
            dose.dose,
            dose.unit,
            ROUTE[dose.route] ?? dose.route,
            dose.lot ?? null,
            dose.administeredAt,
            studyDay(dose.administeredAt, day1),
          ];
        });
    case 'LB':
      return labsInClinicalOrder(state)
        .filter((entry) => !entry.voided)
        .map((entry, i) => {
          const lab = entry.current;
          const n = lab.normalised;
          const assessment = assessLabResult(state, chart, { eventId: entry.eventId, data: lab });
          const visit = lab.studyDay !== undefined ? TRANSREG.visitStudyDays.indexOf(lab.studyDay) : -1;
          const test = LAB_TESTS[lab.test];
          return [
            ...id,
            i + 1,
            lab.test,
            test.name,
            lab.loinc ?? test.loinc,
            String(lab.value),
            lab.unit,
            text(lab.referenceRange?.low),
            text(lab.referenceRange?.high),
            String(n.value),
            n.value,
            n.unit,
            n.referenceRange?.low ?? null,
            n.referenceRange?.high ?? null,
            normalRangeIndicator(n.value, n.referenceRange?.low, n.referenceRange?.high),
            assessment.worstGrade === null ? null : String(assessment.worstGrade),
            visit >= 0 ? visit + 1 : null,
            visit >= 0 ? (lab.studyDay as number) : null,
            lab.collectedAt,
            studyDay(lab.collectedAt, day1),
          ];
        });
    case 'AE':
      return adverseEventsInClinicalOrder(state)
        .filter((entry) => !entry.voided)
        .map((entry, i) => {
          const ae = entry.current;
          const criteria = ae.seriousnessCriteria ?? [];
          return [
            ...id,
            i + 1,
            ae.term,
            // Terms stay as reported until a MedDRA coding exists (docs/interchange.md): no dictionary term yet.
            null,
            yesNo(ae.serious),
            severityOf(ae.grade),
            String(ae.grade),
            ae.relatedness ? RELATEDNESS[ae.relatedness] : null,
            ae.outcome ? OUTCOME[ae.outcome] : null,
            ...SERIOUSNESS_FLAGS.map((flag) => (ae.serious ? yesNo(criteria.includes(flag)) : null)),
            ae.onsetAt,
            null,
            studyDay(ae.onsetAt, day1),
          ];
        });
  }
}

function dmRow(state: PatientState, id: SdtmValue[], firstDoseAt: string | null): SdtmRow {
  const demographics = state.demographics;
  return [
    ...id,
    state.patientId,
    firstDoseAt,
    firstDoseAt,
    state.siteId,
    demographics ? String(demographics.birthYear) : null,
    demographics?.sex ?? null,
    'IL2LD',
    `Low-dose IL-2 ${TRANSREG.treatment.dose} ${TRANSREG.treatment.doseUnit} ${TRANSREG.treatment.route}`,
    'FRA',
    state.enrolledAt,
  ];
}

/** SDTM LBNRIND against the lab's own range, in the canonical unit; null without a range. */
function normalRangeIndicator(value: number, low: number | undefined, high: number | undefined): string | null {
  if (low === undefined && high === undefined) return null;
  if (low !== undefined && value < low) return 'LOW';
  if (high !== undefined && value > high) return 'HIGH';
  return 'NORMAL';
}
