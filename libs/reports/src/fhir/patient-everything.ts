import type {
  AdverseEvent,
  Bundle,
  BundleEntry,
  CodeableConcept,
  FhirResource,
  MedicationAdministration,
  Observation,
  ObservationReferenceRange,
  Patient,
  Quantity,
} from 'fhir/r4';
import { LAB_TESTS, normalRange, SEVERE_GRADE, TRANSREG, type AdverseEventOutcome, type LabEntry, type PatientState } from '@vigil/domain';
import { PatientRecord, severityOfGrade } from '../patient-record';
import { DOSE_UNITS, ROUTES, SYSTEMS } from './fhir-codes';

/** A FHIR id allows letters, digits, '-' and '.': a trial code's '_' becomes '.', which a trial code never holds. */
export const fhirId = (id: string): string => id.replace(/_/g, '.');

const OUTCOMES: Record<AdverseEventOutcome, string> = {
  recovered: 'resolved',
  recovering: 'recovering',
  'not-recovered': 'ongoing',
  'recovered-with-sequelae': 'resolvedWithSequelae',
  fatal: 'fatal',
  unknown: 'unknown',
};

const SEVERITY_DISPLAY: Record<ReturnType<typeof severityOfGrade>, string> = { mild: 'Mild', moderate: 'Moderate', severe: 'Severe' };

export interface EverythingOptions {
  /** When the bundle was assembled: the recording time of the last event it includes (same position, same bytes). */
  timestamp: string;
  /** Global position of that event. */
  position: number;
}

/**
 * A patient's `$everything` as a FHIR R4 Bundle of type `collection` (docs/interchange.md "FHIR R4"):
 * the Patient (pseudonymous: the trial patient code, no name), an Observation per lab result, a
 * MedicationAdministration per dose, an AdverseEvent per adverse event not voided.
 */
export function patientEverything(state: PatientState, options: EverythingOptions): Bundle {
  const patientId = state.patientId as string;
  const subject = { reference: `Patient/${fhirId(patientId)}` };
  const record = new PatientRecord(state);
  const doses = record.doses;
  const resources: FhirResource[] = [
    patientResource(state),
    ...record.labs.map((entry) => observation(record, entry, subject)),
    ...doses.map((entry): MedicationAdministration => {
      const dose = entry.current;
      const route = ROUTES[dose.route];
      const unit = DOSE_UNITS[dose.unit];
      return {
        resourceType: 'MedicationAdministration',
        id: fhirId(entry.eventId),
        status: entry.voided ? 'entered-in-error' : 'completed',
        medicationCodeableConcept: { text: TRANSREG.treatment.drug },
        subject,
        effectiveDateTime: dose.administeredAt,
        ...(dose.lot ? { note: [{ text: `Lot ${dose.lot}` }] } : {}),
        dosage: {
          route: route ? { coding: [{ system: SYSTEMS.snomed, ...route }], text: dose.route } : { text: dose.route },
          dose: { value: dose.dose, unit: dose.unit, ...(unit ? { system: SYSTEMS.ucum, code: unit } : {}) },
        },
      };
    }),
    ...record.adverseEvents.map((entry): AdverseEvent => {
      const ae = entry.current;
      const severity = severityOfGrade(ae.grade);
      const onsetMs = Date.parse(ae.onsetAt);
      // The suspect entity: the last IL-2 administration before the onset (TRANSREG has one drug).
      const suspect = [...doses].reverse().find((dose) => !dose.voided && Date.parse(dose.current.administeredAt) <= onsetMs);
      return {
        resourceType: 'AdverseEvent',
        id: fhirId(entry.eventId),
        actuality: 'actual',
        event: { text: ae.term },
        subject,
        date: ae.onsetAt,
        ...(ae.awareAt ? { detected: ae.awareAt } : {}),
        ...(entry.recordedAt ? { recordedDate: entry.recordedAt } : {}),
        seriousness: coded(SYSTEMS.seriousness, ae.serious ? 'serious' : 'non-serious', ae.serious ? 'Serious' : 'Non-serious'),
        // A coding's display is the code system's own (Mild, Moderate, Severe); the CTCAE grade behind it is the concept's text.
        severity: { ...coded(SYSTEMS.severity, severity, SEVERITY_DISPLAY[severity]), text: `CTCAE grade ${ae.grade}` },
        ...(ae.outcome ? { outcome: coded(SYSTEMS.outcome, OUTCOMES[ae.outcome]) } : {}),
        ...(suspect
          ? {
              suspectEntity: [
                {
                  instance: { reference: `MedicationAdministration/${fhirId(suspect.eventId)}` },
                  ...(ae.relatedness ? { causality: [{ assessment: { text: ae.relatedness } }] } : {}),
                },
              ],
            }
          : {}),
      };
    }),
  ];
  return {
    resourceType: 'Bundle',
    id: `${fhirId(patientId)}-everything-${options.position}`,
    meta: { lastUpdated: options.timestamp },
    type: 'collection',
    timestamp: options.timestamp,
    entry: resources.map((resource): BundleEntry => ({ resource })),
  };
}

function patientResource(state: PatientState): Patient {
  const demographics = state.demographics;
  return {
    resourceType: 'Patient',
    id: fhirId(state.patientId as string),
    identifier: [{ system: SYSTEMS.patientCode, value: state.patientId as string }],
    ...(demographics ? { gender: demographics.sex === 'F' ? 'female' : 'male', birthDate: String(demographics.birthYear) } : {}),
  };
}

const coded = (system: string, code: string, display?: string): CodeableConcept => ({ coding: [{ system, code, ...(display ? { display } : {}) }] });

const quantity = (value: number, unit: string): Quantity => ({ value, unit, system: SYSTEMS.ucum, code: unit });

function observation(record: PatientRecord, entry: LabEntry, subject: { reference: string }): Observation {
  const lab = entry.current;
  const test = LAB_TESTS[lab.test];
  const n = lab.normalised;
  const range = n.referenceRange;
  const referenceRange: ObservationReferenceRange[] =
    range && (range.low !== undefined || range.high !== undefined)
      ? [
          {
            ...(range.low !== undefined ? { low: quantity(range.low, n.unit) } : {}),
            ...(range.high !== undefined ? { high: quantity(range.high, n.unit) } : {}),
          },
        ]
      : [];
  const loinc = lab.loinc ?? test.loinc;
  const interpretation = entry.voided ? null : interpretationOf(record, entry);
  return {
    resourceType: 'Observation',
    id: fhirId(entry.eventId),
    status: entry.voided ? 'entered-in-error' : entry.corrections.length > 0 ? 'amended' : 'final',
    category: [coded(SYSTEMS.observationCategory, 'laboratory', 'Laboratory')],
    code: {
      coding: [
        ...(loinc ? [{ system: SYSTEMS.loinc, code: loinc }] : []),
        { system: SYSTEMS.cdiscLbtestcd, code: lab.test, display: test.name },
        ...(test.localCode ? [{ system: SYSTEMS.vigilLocal, code: test.localCode }] : []),
      ],
      text: test.name,
    },
    subject,
    effectiveDateTime: lab.collectedAt,
    ...(entry.recordedAt ? { issued: entry.recordedAt } : {}),
    valueQuantity: quantity(n.value, n.unit),
    ...(interpretation ? { interpretation: [coded(SYSTEMS.interpretation, interpretation)] } : {}),
    ...(referenceRange.length > 0 ? { referenceRange } : {}),
  };
}

/**
 * L / H against the lab's range; LL / HH (critical) when the result crosses a protocol threshold or is of
 * CTCAE grade 3 or more (docs/safety-rules.md §1, §2); N within the range. None without a range or a call.
 */
function interpretationOf(record: PatientRecord, entry: LabEntry): string | null {
  const n = entry.current.normalised;
  const assessment = record.assessment(entry);
  const critical = assessment.ruleHits.some((hit) => hit.ruleId.startsWith('TR-')) || (assessment.worstGrade ?? 0) >= SEVERE_GRADE;
  const indicator = normalRange(n.value, n.referenceRange);
  if (critical && (indicator === 'LOW' || assessment.ruleHits.some((hit) => hit.comparison === '<'))) return 'LL';
  if (critical && (indicator === 'HIGH' || assessment.ruleHits.some((hit) => hit.comparison === '>'))) return 'HH';
  return indicator === undefined ? null : INTERPRETATION[indicator];
}

const INTERPRETATION = { LOW: 'L', HIGH: 'H', NORMAL: 'N' } as const;
