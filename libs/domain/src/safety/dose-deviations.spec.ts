import type { DoseAdministeredData, PatientEvent } from '../events';
import { decide } from '../patient/decide';
import { evolve } from '../patient/evolve';
import { initialPatientState, type PatientState } from '../patient/patient-state';
import { enrolment, NOW } from '../patient/patient-fixtures';
import { assessDose, doseCompliance, missedDoses } from './dose-deviations';

const doseEvent = (administeredAt: string, extra: Partial<DoseAdministeredData> = {}): PatientEvent => ({
  type: 'DoseAdministered',
  version: 1,
  data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: `${administeredAt}T09:00:00.000Z`, ...extra },
});

/** A patient with this disease and these events after enrolment; event ids e1 (enrolment), e2, … */
function patient(disease: string, ...events: PatientEvent[]): PatientState {
  const [enrolled] = decide(enrolment({ disease }), initialPatientState, { now: NOW });
  return [enrolled, ...events].reduce((s, event, i) => evolve(s, { eventId: `e${i + 1}`, event }), initialPatientState);
}

// Induction Day 1–5 = 11–15 January 2024 (e2–e6). RA maintenance due 30 January; SLE due 22 January.
const INDUCTION = ['2024-01-11', '2024-01-12', '2024-01-13', '2024-01-14', '2024-01-15'].map((d) => doseEvent(d));
const dose = (day: string, extra: Partial<DoseAdministeredData> = {}) => ({ eventId: 'new', data: doseEvent(day, extra).data as DoseAdministeredData });
const ids = (deviations: { ruleId: string }[]) => deviations.map((d) => d.ruleId);

describe('assessDose: amount and route, docs/protocol.md "Treatment"', () => {
  it('finds nothing wrong with 1 MIU subcutaneously on Day 1', () => {
    expect(assessDose(patient('RA'), dose('2024-01-11'))).toEqual([]);
  });

  it('flags a dose other than 1 MIU', () => {
    const [deviation] = assessDose(patient('RA'), dose('2024-01-11', { dose: 2 }));
    expect(deviation).toMatchObject({ ruleId: 'DOSE-AMOUNT', doseEventId: 'new', expected: '1 MIU', actual: '2 MIU' });
  });

  it('takes 1 000 000 [IU] as 1 MIU, and flags a unit it cannot compare', () => {
    expect(assessDose(patient('RA'), dose('2024-01-11', { dose: 1_000_000, unit: '[IU]' }))).toEqual([]);
    expect(ids(assessDose(patient('RA'), dose('2024-01-11', { unit: 'mg' })))).toEqual(['DOSE-AMOUNT']);
  });

  it('flags a route other than subcutaneous, accepting its spellings', () => {
    expect(ids(assessDose(patient('RA'), dose('2024-01-11', { route: 'IV' })))).toEqual(['DOSE-ROUTE']);
    expect(assessDose(patient('RA'), dose('2024-01-11', { route: 'subcutaneous' }))).toEqual([]);
  });
});

describe('assessDose: schedule', () => {
  it('flags a sixth daily dose as an extra induction dose', () => {
    expect(ids(assessDose(patient('RA', ...INDUCTION), dose('2024-01-16')))).toEqual(['DOSE-EXTRA-INDUCTION']);
  });

  it('does not count a voided dose: the next one is then the fifth', () => {
    const voided: PatientEvent = {
      type: 'DoseEnteredInError',
      version: 1,
      data: { patientId: 'P-001', originalEventId: 'e6', oldValues: INDUCTION[4].data as DoseAdministeredData, reason: 'other patient' },
    };
    expect(assessDose(patient('RA', ...INDUCTION, voided), dose('2024-01-16'))).toEqual([]);
  });

  it.each([
    ['2024-01-28', []],
    ['2024-01-30', []],
    ['2024-02-01', []],
    ['2024-01-27', ['DOSE-WINDOW']],
    ['2024-02-02', ['DOSE-WINDOW']],
  ])('judges an RA maintenance dose on %s against 30 January ± 2 days', (day, expected) => {
    expect(ids(assessDose(patient('RA', ...INDUCTION), dose(day)))).toEqual(expected);
  });

  it.each([
    ['2024-01-20', []],
    ['2024-01-24', []],
    ['2024-01-19', ['DOSE-WINDOW']],
    ['2024-01-25', ['DOSE-WINDOW']],
  ])('judges an SLE maintenance dose on %s against 22 January ± 2 days (every 7 days)', (day, expected) => {
    expect(ids(assessDose(patient('SLE', ...INDUCTION), dose(day)))).toEqual(expected);
  });

  it('takes the window as a parameter', () => {
    expect(assessDose(patient('RA', ...INDUCTION), dose('2024-02-02'), undefined, 3)).toEqual([]);
  });

  it('says when the dose was due and how late it was', () => {
    expect(assessDose(patient('RA', ...INDUCTION), dose('2024-02-05'))[0]).toMatchObject({
      ruleId: 'DOSE-WINDOW',
      dueAt: '2024-01-30T09:00:00.000Z',
      expected: '2024-01-30 ± 2 days',
      message: expect.stringContaining('6 days late'),
    });
  });

  it('judges a dose early for the first due date against that date', () => {
    expect(assessDose(patient('RA', ...INDUCTION), dose('2024-01-25'))[0]).toMatchObject({
      ruleId: 'DOSE-WINDOW',
      message: expect.stringContaining('5 days early'),
    });
  });

  it('counts the next due date from the previous dose', () => {
    expect(assessDose(patient('RA', ...INDUCTION, doseEvent('2024-02-01')), dose('2024-02-16'))).toEqual([]);
  });

  it('flags a dose after the 6-month maintenance period', () => {
    const last = doseEvent('2024-07-10');
    expect(assessDose(patient('RA', ...INDUCTION, last), dose('2024-07-25'))[0]).toMatchObject({
      ruleId: 'DOSE-WINDOW',
      message: expect.stringContaining('after the maintenance period'),
    });
  });
});

describe('missedDoses', () => {
  it('finds a maintenance dose due more than 2 days ago and not given', () => {
    const state = patient('RA', ...INDUCTION);
    expect(missedDoses(state, new Date('2024-02-01T23:59:00Z'))).toEqual([]);
    expect(missedDoses(state, new Date('2024-02-02T00:00:00Z'))).toEqual([
      { ruleId: 'DOSE-MISSED', dueAt: '2024-01-30T09:00:00.000Z', expected: '2024-01-30 ± 2 days', message: expect.stringContaining('2024-01-30') },
    ]);
  });

  it('finds the doses skipped between two given doses; the later dose fulfils the last due date it is not early for', () => {
    const state = patient('RA', ...INDUCTION, doseEvent('2024-03-01'));
    expect(missedDoses(state, new Date('2024-03-02T00:00:00Z')).map((d) => d.dueAt?.slice(0, 10))).toEqual(['2024-01-30', '2024-02-14']);
    expect(assessDose(state, { eventId: 'e7', data: state.doses.e7.current })).toEqual([]); // due 29 February ± 2
  });

  it('counts a late dose once: as late, not also as missed', () => {
    const state = patient('RA', ...INDUCTION, doseEvent('2024-02-05'));
    expect(missedDoses(state, new Date('2024-02-06T00:00:00Z'))).toEqual([]);
    expect(ids(assessDose(state, { eventId: 'e7', data: state.doses.e7.current }))).toEqual(['DOSE-WINDOW']);
  });

  it('stops at the end of the 6-month maintenance period', () => {
    const missed = missedDoses(patient('RA', ...INDUCTION), new Date('2025-01-01T00:00:00Z'));
    expect(missed).toHaveLength(12);
    expect(missed[11].dueAt?.slice(0, 10)).toBe('2024-07-13');
  });

  it('expects nothing before induction is complete', () => {
    expect(missedDoses(patient('RA', ...INDUCTION.slice(0, 3)), new Date('2024-03-01T00:00:00Z'))).toEqual([]);
  });
});

describe('doseCompliance', () => {
  it('counts doses given, expected and deviations', () => {
    const state = patient('RA', ...INDUCTION, doseEvent('2024-02-05', { route: 'IV' }));
    expect(doseCompliance(state, new Date('2024-02-20T00:00:00Z'))).toEqual({
      given: 6,
      expected: 7, // 5 induction + due 30 January and 14 February on the ideal calendar
      deviations: 2, // DOSE-ROUTE and DOSE-WINDOW of the 5 February dose (late for 30 January); 20 February is not yet missed
      missed: 0,
      byRule: { 'DOSE-ROUTE': 1, 'DOSE-WINDOW': 1 },
    });
  });
});
