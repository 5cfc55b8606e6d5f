/** Code systems of the FHIR export (docs/interchange.md "FHIR R4"). */
export const SYSTEMS = {
  ucum: 'http://unitsofmeasure.org',
  loinc: 'http://loinc.org',
  /** CDISC SDTM LBTESTCD (docs/safety-rules.md §4). */
  cdiscLbtestcd: 'http://www.cdisc.org/sdtm/LBTESTCD',
  /** Vigil's own codes, for tests LOINC has no code for (Treg % of CD4+). */
  vigilLocal: 'urn:vigil:lab-test',
  patientCode: 'urn:vigil:trial-patient-code',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  seriousness: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness',
  severity: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity',
  outcome: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome',
  snomed: 'http://snomed.info/sct',
} as const;

/** SNOMED CT routes of administration for the routes Vigil records. */
export const ROUTES: Readonly<Record<string, { code: string; display: string }>> = {
  SC: { code: '34206005', display: 'Subcutaneous route' },
  IV: { code: '47625008', display: 'Intravenous route' },
  IM: { code: '78421000', display: 'Intramuscular route' },
};

/** Dose units Vigil records, as UCUM: MIU is a million international units. */
export const DOSE_UNITS: Readonly<Record<string, string>> = { MIU: '10*6.[iU]' };
