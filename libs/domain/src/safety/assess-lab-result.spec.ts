import fc from 'fast-check';
import type { LabResultRecordedData, ReferenceRange } from '../events';
import { decide } from '../patient/decide';
import type { PatientState } from '../patient/patient-state';
import { enrolment, given, NOW } from '../patient/patient-fixtures';
import { LAB_TESTS, LAB_TEST_CODES, acceptedUnits } from '../units/lab-tests';
import { PatientChart } from '../patient/patient-chart';
import { assessLabResult as assessWithChart } from './assess-lab-result';

/** The assessment of one result against a chart of the state, as the alerting reactor and the queries make it. */
const assessLabResult = (state: PatientState, lab: { eventId: string; data: LabResultRecordedData }) => assessWithChart(state, PatientChart.of(state), lab);

/** A lab result as decide would record it for `state` (normalised by units/), ready to assess. */
function result(state: PatientState, test: string, value: number, unit: string, referenceRange?: ReferenceRange, collectedAt = '2024-02-01T08:00:00Z') {
  const [event] = decide({ type: 'RecordLabResult', test, value, unit, collectedAt, referenceRange }, state, { now: NOW });
  return { eventId: 'new', data: event.data as LabResultRecordedData };
}

const patient = (disease = 'RA', extra: Parameters<typeof enrolment>[0] = {}) => given(enrolment({ disease, ...extra })).state;
const hitIds = (state: PatientState, test: string, value: number, unit: string, range?: ReferenceRange) =>
  assessLabResult(state, result(state, test, value, unit, range)).ruleHits.map((h) => h.ruleId);

describe('TR-PLT, docs/safety-rules.md §1: platelets < 80 × 10⁹/L', () => {
  it.each([
    [79.9, '10*9/L'],
    [79, '10*3/uL'],
    [79, '10*3/mm3'],
    [79000, '/mm3'],
    [79999, '/uL'],
  ])('raises a platelet alert below 80 × 10⁹/L: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'PLAT', value, unit)).toEqual(['TR-PLT']);
  });

  it.each([
    [80, '10*9/L'],
    [80, '10*3/uL'],
    [80000, '/mm3'],
    [80000, '/uL'],
    [80.1, '10*9/L'],
  ])('raises nothing at exactly or just above 80 × 10⁹/L: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'PLAT', value, unit)).toEqual([]);
  });

  it('describes the hit in canonical units with the reported value', () => {
    const [hit] = assessLabResult(patient(), result(patient(), 'PLAT', 79000, '/mm3', { low: 150000, high: 400000 })).ruleHits;
    expect(hit).toMatchObject({
      ruleId: 'TR-PLT',
      value: 79,
      unit: '10*9/L',
      threshold: 80,
      thresholdUnit: '10*9/L',
      comparison: '<',
      grade: 1,
      severity: 'warning',
    });
    expect(hit.message).toContain('79000 /mm3');
  });

  it('makes a platelet hit critical when the result is CTCAE grade 3 or worse', () => {
    expect(assessLabResult(patient(), result(patient(), 'PLAT', 49, '10*9/L')).ruleHits[0]).toMatchObject({ grade: 3, severity: 'critical' });
  });
});

describe('TR-WBC and TR-LYM, docs/safety-rules.md §1', () => {
  it.each([
    [1.99, '10*9/L'],
    [1999, '/mm3'],
    [1.999, '10*3/uL'],
  ])('raises a white cell alert below 2.0 × 10⁹/L: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'WBC', value, unit)).toEqual(['TR-WBC']);
  });

  it.each([
    [2.0, '10*9/L'],
    [2000, '/mm3'],
    [2.01, '10*9/L'],
  ])('raises no white cell alert at or above 2.0: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'WBC', value, unit)).toEqual([]);
  });

  it('makes a white cell hit critical (the grade 3 boundary)', () => {
    expect(assessLabResult(patient(), result(patient(), 'WBC', 1999, '/mm3')).ruleHits[0]).toMatchObject({ severity: 'critical', grade: 3 });
  });

  it.each([
    [0.59, '10*9/L'],
    [599, '/mm3'],
    [599, '/uL'],
  ])('raises a lymphocyte alert below 0.6 × 10⁹/L: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'LYM', value, unit)).toEqual(['TR-LYM']);
  });

  it.each([
    [0.6, '10*9/L'],
    [600, '/mm3'],
    [601, '/mm3'],
  ])('raises no lymphocyte alert at or above 0.6: %s %s', (value, unit) => {
    expect(hitIds(patient(), 'LYM', value, unit)).toEqual([]);
  });
});

describe('TR-ALT and TR-AST, docs/safety-rules.md §1: > 5 × ULN, not for AIH', () => {
  it.each(['ALT', 'AST'])('raises a %s alert above 5 × ULN, in U/L and [IU]/L', (test) => {
    expect(hitIds(patient(), test, 201, 'U/L', { high: 40 })).toEqual([`TR-${test}`]);
    expect(hitIds(patient(), test, 201, '[IU]/L', { high: 40 })).toEqual([`TR-${test}`]);
  });

  it.each(['ALT', 'AST'])('raises no %s alert at exactly 5 × ULN, even with a decimal ULN', (test) => {
    expect(hitIds(patient(), test, 200, 'U/L', { high: 40 })).toEqual([]);
    expect(hitIds(patient(), test, 3.5, 'U/L', { high: 0.7 })).toEqual([]);
    expect(hitIds(patient(), test, 3.51, 'U/L', { high: 0.7 })).toEqual([`TR-${test}`]);
  });

  it('reports the value as a multiple of ULN against a threshold of 5 × ULN', () => {
    const [hit] = assessLabResult(patient(), result(patient(), 'ALT', 210, 'U/L', { high: 40 })).ruleHits;
    expect(hit).toMatchObject({ value: 5.25, unit: '×ULN', threshold: 5, thresholdUnit: '×ULN', comparison: '>', severity: 'critical', grade: 3 });
  });

  it('does not evaluate TR-ALT for an autoimmune hepatitis patient, yet a grade 4 result alerts through CTCAE-LAB (issue 11, defect 1)', () => {
    const aih = patient('AIH');
    const assessment = assessLabResult(aih, result(aih, 'ALT', 1000, 'U/L', { high: 40 }));
    expect(assessment.ruleHits).toEqual([
      expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 4, severity: 'critical', threshold: 800, thresholdUnit: 'U/L' }),
    ]);
    expect(assessment.notEvaluated).toEqual([{ ruleId: 'TR-ALT', reason: expect.stringContaining('AIH') }]);
    expect(assessment.grade.grade).toBe(4);
  });

  it('raises nothing for an AIH patient whose ALT is below grade 3 (the exception does remove the protocol threshold)', () => {
    const aih = patient('AIH');
    expect(assessLabResult(aih, result(aih, 'ALT', 200, 'U/L', { high: 40 })).ruleHits).toEqual([]);
  });

  it('never guesses a ULN: without one the rule is not evaluated', () => {
    const assessment = assessLabResult(patient(), result(patient(), 'AST', 1000, 'U/L'));
    expect(assessment.ruleHits).toEqual([]);
    expect(assessment.notEvaluated).toEqual([{ ruleId: 'TR-AST', reason: expect.stringContaining('ULN') }]);
    expect(assessment.grade).toMatchObject({ grade: null, ungradableReason: expect.stringContaining('ULN') });
  });
});

describe('TR-CRCL, docs/safety-rules.md §1 and §3: Cockcroft-Gault < 60 mL/min, not for SLE or GPA', () => {
  // Man born 1964, 70 kg, collected 2024 (age 60): CrCl = 80 × 70 / (0.814 × creatinine).
  const man = () => patient('RA', { sex: 'M', birthYear: 1964, weightKg: 70 });
  const creatinineAt = (clearance: number) => (80 * 70) / (0.814 * clearance);

  it('computes the clearance from creatinine in µmol/L or mg/dL alike', () => {
    expect(assessLabResult(man(), result(man(), 'CREAT', 100, 'umol/L')).crclMlMin).toBeCloseTo(68.796, 3);
    expect(assessLabResult(man(), result(man(), 'CREAT', 1, 'mg/dL')).crclMlMin).toBeCloseTo(5600 / (0.814 * 88.4), 6);
  });

  it('multiplies by 0.85 for a woman', () => {
    const woman = patient('RA', { sex: 'F', birthYear: 1964, weightKg: 70 });
    expect(assessLabResult(woman, result(woman, 'CREAT', 100, 'umol/L')).crclMlMin).toBeCloseTo(68.796 * 0.85, 3);
  });

  it('counts age as collection year minus birth year', () => {
    const later = result(man(), 'CREAT', 100, 'umol/L', undefined, '2023-12-31T23:00:00Z');
    expect(assessLabResult(man(), later).crclMlMin).toBeCloseTo((81 * 70) / 81.4, 6);
  });

  it('raises a clearance alert just below 60 mL/min and none at 60 or above', () => {
    expect(hitIds(man(), 'CREAT', 114.7, 'umol/L')).toEqual(['TR-CRCL']); // 59.98 mL/min
    expect(hitIds(man(), 'CREAT', 114.6, 'umol/L')).toEqual([]); // 60.03 mL/min
    expect(hitIds(man(), 'CREAT', Math.round(creatinineAt(70)), 'umol/L')).toEqual([]);
  });

  it('reports the clearance hit in mL/min', () => {
    const [hit] = assessLabResult(man(), result(man(), 'CREAT', 150, 'umol/L')).ruleHits;
    expect(hit).toMatchObject({ ruleId: 'TR-CRCL', unit: 'mL/min', threshold: 60, thresholdUnit: 'mL/min', comparison: '<' });
    expect(hit.value).toBeCloseTo(45.86, 2);
  });

  it.each(['SLE', 'GPA'])('does not evaluate TR-CRCL for a %s patient, but still computes the clearance', (disease) => {
    const state = patient(disease, { sex: 'M', birthYear: 1964, weightKg: 70 });
    const assessment = assessLabResult(state, result(state, 'CREAT', 150, 'umol/L'));
    expect(assessment.ruleHits).toEqual([]);
    expect(assessment.notEvaluated).toEqual([{ ruleId: 'TR-CRCL', reason: expect.stringContaining(disease) }]);
    expect(assessment.crclMlMin).toBeGreaterThan(30);
  });

  it.each(['SLE', 'GPA'])('alerts through CTCAE-LAB on a %s patient whose clearance is grade 3 or 4 (issue 11, defect 1)', (disease) => {
    const state = patient(disease, { sex: 'M', birthYear: 1964, weightKg: 70 });
    const assessment = assessLabResult(state, result(state, 'CREAT', 300, 'umol/L'));
    expect(assessment.crclMlMin).toBeCloseTo(22.93, 2);
    expect(assessment.ruleHits).toEqual([expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 3, unit: 'mL/min', threshold: 30 })]);
  });

  it('raises CTCAE-LAB grade 3 beside a grade 2 TR-CRCL when the creatinine itself is grade 3 on its baseline', () => {
    // RA woman born 1970, 65 kg; baseline 60 µmol/L before Day 1, then 190 (ULN 104): 3.17 × baseline, grade 3;
    // clearance in 2024 (age 54): 86 × 65 / (0.814 × 190) × 0.85 ≈ 30.7 mL/min, grade 2 (docs/safety-rules.md §2).
    const { state } = given(
      enrolment({ disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 65 }),
      { type: 'RecordLabResult', test: 'CREAT', value: 60, unit: 'umol/L', collectedAt: '2024-01-20T08:00:00Z', referenceRange: { high: 104 } },
      { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-25T09:00:00Z' },
    );
    const assessment = assessLabResult(state, result(state, 'CREAT', 190, 'umol/L', { high: 104 }));
    expect(assessment).toMatchObject({ grade: { grade: 3 }, clearance: { grade: { grade: 2 } }, worstGrade: 3 });
    expect(assessment.ruleHits).toEqual([
      expect.objectContaining({ ruleId: 'TR-CRCL', grade: 2, severity: 'warning' }),
      expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 3, severity: 'critical', unit: 'umol/L', threshold: 180, comparison: '>' }),
    ]);
  });

  it('raises CTCAE-LAB grade 4 beside a grade 3 TR-CRCL when the creatinine is above 6 × ULN', () => {
    // 450 µmol/L with ULN 70 is 6.4 × ULN (grade 4); clearance 80 × 70 / (0.814 × 450) ≈ 15.3 mL/min (grade 3).
    expect(assessLabResult(man(), result(man(), 'CREAT', 450, 'umol/L', { high: 70 })).ruleHits).toEqual([
      expect.objectContaining({ ruleId: 'TR-CRCL', grade: 3, severity: 'critical' }),
      expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 4, severity: 'critical' }),
    ]);
  });

  it('raises no CTCAE-LAB beside a TR-CRCL whose clearance grade is as high as the creatinine grade', () => {
    // 400 µmol/L with ULN 104 is 3.8 × ULN (grade 3); clearance ≈ 17.2 mL/min (grade 3): TR-CRCL alone shows grade 3.
    expect(assessLabResult(man(), result(man(), 'CREAT', 400, 'umol/L', { high: 104 })).ruleHits).toEqual([
      expect.objectContaining({ ruleId: 'TR-CRCL', grade: 3, severity: 'critical' }),
    ]);
  });

  it('raises clearance alerts for AIH patients (their exception is for transaminases only)', () => {
    expect(hitIds(patient('AIH', { sex: 'M', birthYear: 1964, weightKg: 70 }), 'CREAT', 300, 'umol/L')).toEqual(['TR-CRCL']);
  });
});

describe('assessLabResult on tests without a rule', () => {
  it('grades haemoglobin, and a grade 3 anaemia raises CTCAE-LAB (issue 11, defect 2)', () => {
    const assessment = assessLabResult(patient(), result(patient(), 'HGB', 7.9, 'g/dL', { low: 12, high: 16 }));
    expect(assessment).toMatchObject({
      test: 'HGB',
      normalised: { value: 79, unit: 'g/L' },
      grade: { grade: 3, term: 'Anemia' },
      ruleHits: [{ ruleId: 'CTCAE-LAB', grade: 3, severity: 'critical', threshold: 80, thresholdUnit: 'g/L', comparison: '<' }],
      notEvaluated: [],
    });
    expect(assessLabResult(patient(), result(patient(), 'HGB', 9.5, 'g/dL', { low: 12, high: 16 })).ruleHits).toEqual([]);
  });

  it('reports CRP as having no CTCAE scale', () => {
    expect(assessLabResult(patient(), result(patient(), 'CRP', 50, 'mg/L')).grade).toMatchObject({ grade: null, basis: null });
  });
});

describe('assessLabResult never throws (property)', () => {
  it('assesses any accepted unit and plausible value, for every disease', () => {
    const state = patient();
    const plausible = fc.constantFrom(...LAB_TEST_CODES).chain((test) =>
      fc.record({
        test: fc.constant(test),
        unit: fc.constantFrom(...acceptedUnits(test)),
        fraction: fc.double({ min: 0, max: 1, noNaN: true }),
        low: fc.option(fc.double({ min: 0, max: 0.5, noNaN: true })),
        high: fc.option(fc.double({ min: 0.5, max: 1, noNaN: true })),
        disease: fc.constantFrom('RA', 'SLE', 'GPA', 'AIH'),
      }),
    );
    fc.assert(
      fc.property(plausible, ({ test, unit, fraction, low, high, disease }) => {
        const patientState = { ...state, disease } as PatientState;
        const span = LAB_TESTS[test].maxCanonical / LAB_TESTS[test].units[unit];
        const range: ReferenceRange = {};
        if (low !== null) range.low = low * span;
        if (high !== null) range.high = high * span;
        const assessment = assessLabResult(patientState, result(patientState, test, fraction * span, unit, range));
        expect(assessment.test).toBe(test);
        for (const hit of assessment.ruleHits) expect(Number.isFinite(hit.value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
