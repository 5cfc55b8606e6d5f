import type { AdverseEventReportedData, PatientEvent } from '../events';
import { CLINICAL_TIME_FIELD, clinicalTimeOfRecord, type RecordData, type RecordKind } from './patient-state';

const KIND_OF: Partial<Record<PatientEvent['type'], RecordKind>> = {
  DoseAdministered: 'doses',
  DoseCorrected: 'doses',
  DoseEnteredInError: 'doses',
  LabResultRecorded: 'labs',
  LabResultCorrected: 'labs',
  LabResultEnteredInError: 'labs',
  AdverseEventReported: 'adverseEvents',
  AdverseEventCorrected: 'adverseEvents',
  AdverseEventEnteredInError: 'adverseEvents',
};

/**
 * When what an event records happened clinically: the envelope's `occurredAt`. A correction or a void
 * is about its record, so it takes the record's clinical time (the corrected one), not the time it was
 * entered: replaying "as it was clinically" at a moment then shows the corrected value, while replaying
 * "as Vigil knew it" still shows what was known before the correction (docs/safety-rules.md §6).
 * A report or an assessment happened when it was made; a status change when it takes effect.
 */
export function clinicalTimeOf(event: PatientEvent): string | undefined {
  const kind = KIND_OF[event.type];
  if (kind) {
    const data = event.data as unknown as { newValues?: RecordData[RecordKind]; oldValues?: RecordData[RecordKind] };
    const values = (data.newValues ?? data.oldValues ?? event.data) as RecordData[RecordKind];
    const time = clinicalTimeOfRecord(kind, values);
    return typeof time === 'string' ? time : undefined;
  }
  switch (event.type) {
    case 'PatientEnrolled':
      return event.data.enrolledAt;
    case 'SponsorReportRecorded':
    case 'RegulatoryReportRecorded':
      return event.data.reportedAt;
    case 'AdverseEventAssessed':
      return event.data.assessedAt;
    case 'TreatmentStatusChanged':
      return event.data.effectiveAt;
    default:
      return undefined;
  }
}

export { CLINICAL_TIME_FIELD };

/**
 * Every instant a clinical record carries, each correctable: the kinds' clinical times, and when the
 * investigator became aware of an adverse event (it starts the SAE reporting clock).
 */
export const RECORD_TIME_FIELDS: readonly string[] = [...Object.values(CLINICAL_TIME_FIELD), 'awareAt' satisfies keyof AdverseEventReportedData];
