import type { DoseAdministeredData, LabResultRecordedData } from '@vigil/domain';
import { TrialFold } from '../log/trial-fold';
import { TrialLog } from '../testing/trial-log';
import { patientEverything } from '../fhir/patient-everything';
import { sdtmExport } from './sdtm-export';
import { SDTM_DOMAINS } from './sdtm-variables';
import { studyDay } from './sdtm-rows';

const at = (day: number, hours = 0) => new Date(Date.parse('2026-02-02T08:00:00.000Z') + day * 86_400_000 + hours * 3_600_000).toISOString();
const plat = (value: number, day: number, unit = '/mm3'): LabResultRecordedData => ({
  patientId: 'TR-SAT-101',
  test: 'PLAT',
  loinc: '777-3',
  value: unit === '/mm3' ? value * 1000 : value,
  unit,
  referenceRange: unit === '/mm3' ? { low: 150_000, high: 400_000 } : { low: 150, high: 400 },
  collectedAt: at(day),
  studyDay: day,
  normalised: { value, unit: '10*9/L', referenceRange: { low: 150, high: 400 } },
});
const dose = (day: number): DoseAdministeredData => ({ patientId: 'TR-SAT-101', dose: 1, unit: 'MIU', route: 'SC', lot: 'IL2-0142', administeredAt: at(day) });

/** One patient: a baseline, doses on Days 1 and 2, a low platelet count corrected, a result voided. */
function log(): { log: TrialLog; low: string; voided: string } {
  const trial = new TrialLog();
  const p = 'TR-SAT-101';
  trial.patient(
    p,
    {
      type: 'PatientEnrolled',
      version: 1,
      data: { patientId: p, trialId: 'TRANSREG', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1971, weightKg: 64, enrolledAt: at(-1) },
    },
    at(-1),
  );
  trial.patient(p, { type: 'LabResultRecorded', version: 2, data: plat(260, 0) }, at(0, 1));
  trial.patient(p, { type: 'DoseAdministered', version: 1, data: dose(1) }, at(1, 1));
  trial.patient(p, { type: 'DoseAdministered', version: 1, data: dose(2) }, at(2, 1));
  const low = trial.patient(p, { type: 'LabResultRecorded', version: 2, data: plat(79, 8) }, at(8, 1));
  const voided = trial.patient(p, { type: 'LabResultRecorded', version: 2, data: plat(20, 15) }, at(15, 1));
  trial.patient(
    p,
    { type: 'LabResultEnteredInError', version: 1, data: { patientId: p, originalEventId: voided, oldValues: plat(20, 15), reason: 'Wrong tube' } },
    at(15, 2),
  );
  trial.patient(
    p,
    {
      type: 'LabResultCorrected',
      version: 1,
      data: { patientId: p, originalEventId: low, oldValues: plat(79, 8), newValues: plat(60, 8), changedFields: ['value'], reason: 'typo' },
    },
    at(9),
  );
  trial.patient(
    p,
    {
      type: 'AdverseEventReported',
      version: 1,
      data: { patientId: p, term: 'Pneumonia', onsetAt: at(10), grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'], outcome: 'recovering' },
    },
    at(10, 2),
  );
  return { log: trial, low, voided };
}

const folded = (trial: TrialLog, upTo = trial.events.length) => {
  const fold = new TrialFold({ labs: 'full' });
  for (const event of trial.events.slice(0, upTo)) fold.apply(event);
  return fold;
};

describe('SDTM exports', () => {
  it('counts study days from Day 1, the first dose, with no Day 0', () => {
    expect(studyDay(at(1), Math.floor(Date.parse(at(1)) / 86_400_000))).toBe(1);
    expect(studyDay(at(8), Math.floor(Date.parse(at(1)) / 86_400_000))).toBe(8);
    expect(studyDay(at(0), Math.floor(Date.parse(at(1)) / 86_400_000))).toBe(-1);
  });

  it('writes LB with the corrected value in the canonical unit, the lab value as reported, and no voided result', () => {
    const { log: trial } = log();
    const lb = JSON.parse(sdtmExport(folded(trial), 'LB', 'dataset-json', { sourceVersion: 't' }).body);
    const names: string[] = lb.columns.map((c: { name: string }) => c.name);
    const rows = lb.rows.map((row: unknown[]) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      USUBJID: 'TRANSREG-TR-SAT-101',
      LBSEQ: 2,
      LBTESTCD: 'PLAT',
      LBORRES: '60000',
      LBORRESU: '/mm3',
      LBSTRESN: 60,
      LBSTRESU: '10*9/L',
      LBNRIND: 'LOW',
      LBTOXGR: '2',
      VISITNUM: 3,
      VISITDY: 8,
      LBDY: 8,
    });
    // The protocol's Day 0 baseline visit: the first visit, on SDTM's Day -1 as its LBDY (SDTM has no Day 0).
    expect(rows[0]).toMatchObject({ VISITNUM: 1, VISITDY: -1, LBDY: -1, LBTOXGR: '0', LBNRIND: 'NORMAL' });
  });

  it('gives the same bytes for the same position, dated by the recording time of its last event', () => {
    const { log: trial } = log();
    const first = sdtmExport(folded(trial, 5), 'EX', 'dataset-json', { sourceVersion: 't' });
    const again = sdtmExport(folded(trial, 5), 'EX', 'dataset-json', { sourceVersion: 't' });
    expect(again.body).toBe(first.body);
    expect(again.sha256).toBe(first.sha256);
    expect(JSON.parse(first.body).datasetJSONCreationDateTime).toBe(trial.events[4].metadata.recordedAt);
    expect(first.position).toBe(5);
  });

  it('writes every record of DM, EX, LB and AE as wide as its dataset, a value under each variable', () => {
    const { log: trial } = log();
    for (const domain of SDTM_DOMAINS) {
      const dataset = JSON.parse(sdtmExport(folded(trial), domain, 'dataset-json', { sourceVersion: 't' }).body);
      expect(dataset.rows.length).toBeGreaterThan(0);
      for (const row of dataset.rows) expect(row).toHaveLength(dataset.columns.length);
    }
  });

  it('writes a serious adverse event of grade 3 as SEVERE, with the hospitalisation flag alone set', () => {
    const { log: trial } = log();
    const ae = JSON.parse(sdtmExport(folded(trial), 'AE', 'dataset-json', { sourceVersion: 't' }).body);
    const names: string[] = ae.columns.map((c: { name: string }) => c.name);
    const row = Object.fromEntries(names.map((name, i) => [name, ae.rows[0][i]]));
    expect(row).toMatchObject({ AESEQ: 1, AETERM: 'Pneumonia', AESER: 'Y', AESEV: 'SEVERE', AETOXGR: '3', AEOUT: 'RECOVERING/RESOLVING', AESTDY: 10 });
    expect([row.AESDTH, row.AESLIFE, row.AESHOSP, row.AESDISAB, row.AESCONG, row.AESMIE]).toEqual(['N', 'N', 'Y', 'N', 'N', 'N']);
  });

  it('writes EX and AE with CDISC terms: route SUBCUTANEOUS, study days', () => {
    const { log: trial } = log();
    const csv = sdtmExport(folded(trial), 'EX', 'csv', { sourceVersion: 't' }).body.split('\r\n');
    expect(csv[0]).toBe('STUDYID,DOMAIN,USUBJID,EXSEQ,EXTRT,EXDOSE,EXDOSU,EXROUTE,EXLOT,EXSTDTC,EXSTDY');
    expect(csv[2]).toBe(`TRANSREG,EX,TRANSREG-TR-SAT-101,2,ALDESLEUKIN,1,MIU,SUBCUTANEOUS,IL2-0142,${at(2)},2`);
  });
});

describe('FHIR $everything', () => {
  it('marks a corrected result amended and a voided one entered-in-error, in UCUM canonical units', () => {
    const { log: trial, low, voided } = log();
    const fold = folded(trial);
    const track = fold.enrolledPatients()[0];
    const bundle = patientEverything(track.fold.state, { timestamp: fold.positionRecordedAt as string, position: fold.position });
    const byId = new Map(
      (bundle.entry ?? []).map((e) => [e.resource?.id, e.resource as { status?: string; valueQuantity?: object; interpretation?: unknown }]),
    );
    expect(byId.get(low)).toMatchObject({
      status: 'amended',
      valueQuantity: { value: 60, unit: '10*9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' },
    });
    // 60 × 10⁹/L is below TR-PLT (80): a critical low.
    expect(byId.get(low)?.interpretation).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'LL' }] }]);
    expect(byId.get(voided)).toMatchObject({ status: 'entered-in-error' });
    expect(bundle.entry?.[0].resource).toEqual({
      resourceType: 'Patient',
      id: 'TR-SAT-101',
      identifier: [{ system: 'urn:vigil:trial-patient-code', value: 'TR-SAT-101' }],
      gender: 'female',
      birthDate: '1971',
    });
  });

  it('gives an adverse event the R4 severity of its grade and its outcome, a dose the SNOMED route and UCUM unit, a voided dose entered-in-error', () => {
    const { log: trial } = log();
    const p = 'TR-SAT-101';
    const voidedDose = trial.patient(p, { type: 'DoseAdministered', version: 1, data: dose(3) }, at(3, 1));
    trial.patient(
      p,
      { type: 'DoseEnteredInError', version: 1, data: { patientId: p, originalEventId: voidedDose, oldValues: dose(3), reason: 'Wrong patient' } },
      at(3, 2),
    );
    trial.patient(
      p,
      { type: 'AdverseEventReported', version: 1, data: { patientId: p, term: 'Nausea', onsetAt: at(11), grade: 2, serious: false, outcome: 'recovered' } },
      at(11, 2),
    );
    const fold = folded(trial);
    const bundle = patientEverything(fold.enrolledPatients()[0].fold.state, { timestamp: fold.positionRecordedAt as string, position: fold.position });
    const resources = (bundle.entry ?? []).map((e) => e.resource as { resourceType: string; id: string; [key: string]: unknown });
    const events = resources.filter((r) => r.resourceType === 'AdverseEvent');
    // FHIR R4 AdverseEvent.severity is mild | moderate | severe; CTCAE 1 is mild, 2 moderate, 3 and above severe.
    expect(events.map((e) => [e.severity, e.outcome])).toEqual([
      [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'severe', display: 'Severe' }], text: 'CTCAE grade 3' },
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: 'recovering' }] },
      ],
      [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'moderate', display: 'Moderate' }], text: 'CTCAE grade 2' },
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: 'resolved' }] },
      ],
    ]);
    const administrations = resources.filter((r) => r.resourceType === 'MedicationAdministration');
    expect(administrations.map((m) => m.status)).toEqual(['completed', 'completed', 'entered-in-error']);
    expect(administrations[0]).toMatchObject({
      effectiveDateTime: at(1),
      note: [{ text: 'Lot IL2-0142' }],
      dosage: {
        route: { coding: [{ system: 'http://snomed.info/sct', code: '34206005', display: 'Subcutaneous route' }] },
        dose: { value: 1, unit: 'MIU', system: 'http://unitsofmeasure.org', code: '10*6.[iU]' },
      },
    });
    // The voided dose is no suspect: the Nausea's is the last dose given before its onset, Day 2's.
    expect(events[1].suspectEntity).toEqual([{ instance: { reference: `MedicationAdministration/${administrations[1].id}` } }]);
  });
});
