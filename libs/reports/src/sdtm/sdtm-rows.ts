import {
  LAB_TESTS,
  normalRange,
  TRANSREG,
  utcDayNumber,
  type AdverseEventOutcome,
  type PatientState,
  type Relatedness,
  type SeriousnessCriterion,
} from '@vigil/domain';
import type { PatientTrack } from '../log/trial-fold';
import { PatientRecord, severityOfGrade } from '../patient-record';
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
/** The criterion behind each seriousness flag, in the column order AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE. */
const SERIOUSNESS_FLAGS: readonly SeriousnessCriterion[] = [
  'death',
  'life-threatening',
  'hospitalisation',
  'disability',
  'congenital-anomaly',
  'medically-important',
];

/** SDTM study day: Day 1 is the reference start date, the day before it is Day -1 (there is no Day 0). */
export function studyDay(instant: string, day1: number | null): number | null {
  if (day1 === null) return null;
  const day = utcDayNumber(instant);
  return day >= day1 ? day - day1 + 1 : day - day1;
}

/** A protocol visit's planned day as an SDTM study day: the protocol's Day 0 baseline is SDTM's Day -1 (no Day 0). */
export const plannedStudyDay = (protocolDay: number): number => (protocolDay >= 1 ? protocolDay : protocolDay - 1);

const yesNo = (flag: boolean): string => (flag ? 'Y' : 'N');
const text = (value: number | undefined): string | null => (value === undefined ? null : String(value));

/** The rows of one SDTM domain for one patient (records voided are left out; corrected ones show as corrected). */
export function sdtmRowsOf(domain: SdtmDomain, track: PatientTrack, trialId: string): SdtmRow[] {
  const state = track.fold.state;
  const id = [trialId, domain, usubjid(trialId, state.patientId as string)];
  if (domain === 'DM') return [[...id, ...demographics(state, new PatientRecord(state))]];
  // The identifiers, then the sequence number, as sdtm-variables.ts lays out every dataset but DM.
  return ownValues(domain, new PatientRecord(state)).map((values, i) => [...id, i + 1, ...values]);
}

/** Each record's values after the identifiers and the sequence number, in the column order of sdtm-variables.ts. */
function ownValues(domain: Exclude<SdtmDomain, 'DM'>, record: PatientRecord): SdtmRow[] {
  const firstDose = record.chart.firstDose();
  const day1 = firstDose ? utcDayNumber(firstDose.time) : null;
  switch (domain) {
    case 'EX':
      return record.doses
        .filter((entry) => !entry.voided)
        .map((entry) => {
          const dose = entry.current;
          return [
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
      return record.labs
        .filter((entry) => !entry.voided)
        .map((entry) => {
          const lab = entry.current;
          const n = lab.normalised;
          const assessment = record.assessment(entry);
          const visit = lab.studyDay !== undefined ? TRANSREG.visitStudyDays.indexOf(lab.studyDay) : -1;
          const test = LAB_TESTS[lab.test];
          return [
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
            normalRange(n.value, n.referenceRange) ?? null,
            assessment.worstGrade === null ? null : String(assessment.worstGrade),
            visit >= 0 ? visit + 1 : null,
            visit >= 0 ? plannedStudyDay(lab.studyDay as number) : null,
            lab.collectedAt,
            studyDay(lab.collectedAt, day1),
          ];
        });
    case 'AE':
      return record.adverseEvents.map((entry) => {
        const ae = entry.current;
        const criteria = ae.seriousnessCriteria ?? [];
        return [
          ae.term,
          // Terms stay as reported until a MedDRA coding exists (docs/interchange.md): no dictionary term yet.
          null,
          yesNo(ae.serious),
          severityOfGrade(ae.grade).toUpperCase(),
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

function demographics(state: PatientState, record: PatientRecord): SdtmRow {
  const firstDoseAt = record.chart.firstDose()?.entry.current.administeredAt ?? null;
  const demographics = state.demographics;
  return [
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
