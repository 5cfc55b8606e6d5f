import type { LabResultRecordedData } from '../events';
import type { PatientCommand } from '../patient/commands';
import { enrolment, given } from '../patient/patient-fixtures';
import { PatientChart } from '../patient/patient-chart';
import type { PatientState } from '../patient/patient-state';
import { assessLabResult as assessWithChart } from './assess-lab-result';
import { baselineFor as baselineOnChart } from './baseline';

type Lab = { eventId: string; data: LabResultRecordedData };
const baselineFor = (state: PatientState, lab: Lab) => baselineOnChart(PatientChart.of(state), lab);
const assessLabResult = (state: PatientState, lab: Lab) => assessWithChart(state, PatientChart.of(state), lab);

const alt = (value: number, collectedAt: string): PatientCommand => ({
  type: 'RecordLabResult',
  test: 'ALT',
  value,
  unit: 'U/L',
  collectedAt,
  referenceRange: { high: 40 },
});
const dose = (administeredAt: string): PatientCommand => ({ type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt });
const labOf = (state: ReturnType<typeof given>['state'], eventId: string) => ({ eventId, data: state.labs[eventId].current as LabResultRecordedData });

describe('baseline, docs/safety-rules.md §2', () => {
  it('is the last value of the test on or before the first dose', () => {
    const { state } = given(
      enrolment(),
      alt(30, '2024-01-05T08:00:00Z'), // e2
      alt(100, '2024-01-11T08:00:00Z'), // e3, same instant as the first dose: still baseline
      dose('2024-01-11T08:00:00Z'), // e4
      alt(20, '2024-01-12T08:00:00Z'), // e5, after the first dose
      alt(145, '2024-01-20T08:00:00Z'), // e6
    );
    expect(baselineFor(state, labOf(state, 'e6'))).toEqual({ value: 100, referenceRange: { high: 40 } });
    // 145 is 1.45 × an abnormal baseline of 100: grade 0 although 3.6 × ULN.
    expect(assessLabResult(state, labOf(state, 'e6')).grade).toMatchObject({ grade: 0, basis: 'baseline' });
  });

  it('before any dose, is the last earlier value, never the result itself', () => {
    const { state } = given(enrolment(), alt(100, '2024-01-05T08:00:00Z'), alt(160, '2024-01-08T08:00:00Z'));
    expect(baselineFor(state, labOf(state, 'e3'))?.value).toBe(100);
    expect(baselineFor(state, labOf(state, 'e2'))).toBeNull();
    expect(assessLabResult(state, labOf(state, 'e2')).grade).toMatchObject({ grade: 1, basis: 'uln' });
  });

  it('ignores a voided value and uses a corrected one', () => {
    const { state } = given(
      enrolment(),
      alt(100, '2024-01-05T08:00:00Z'), // e2
      alt(90, '2024-01-06T08:00:00Z'), // e3
      { type: 'VoidLabResult', eventId: 'e3', reason: 'other patient' }, // e4
      { type: 'CorrectLabResult', eventId: 'e2', changes: { value: 35 }, reason: 'typo' }, // e5
      dose('2024-01-11T08:00:00Z'), // e6
      alt(145, '2024-01-20T08:00:00Z'), // e7
    );
    expect(baselineFor(state, labOf(state, 'e7'))?.value).toBe(35);
    expect(assessLabResult(state, labOf(state, 'e7')).grade).toMatchObject({ grade: 2, basis: 'uln' });
  });

  it('is only of the same test', () => {
    const { state } = given(
      enrolment(),
      { type: 'RecordLabResult', test: 'AST', value: 100, unit: 'U/L', collectedAt: '2024-01-05T08:00:00Z', referenceRange: { high: 40 } },
      alt(60, '2024-01-08T08:00:00Z'),
    );
    expect(baselineFor(state, labOf(state, 'e3'))).toBeNull();
  });
});
