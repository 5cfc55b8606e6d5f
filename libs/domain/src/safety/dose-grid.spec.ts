import type { DoseAdministeredData, PatientEvent, TreatmentStatus } from '../events';
import { decide } from '../patient/decide';
import { evolve } from '../patient/evolve';
import { PatientChart } from '../patient/patient-chart';
import { initialPatientState, type PatientState } from '../patient/patient-state';
import { enrolment, NOW } from '../patient/patient-fixtures';
import { TRANSREG } from '../protocol/transreg';
import { amountAndRoute, doseCompliance, doseGrid, missedDoses, timingDeviations, type DosingOptions } from './dose-grid';

const doseEvent = (administeredAt: string, extra: Partial<DoseAdministeredData> = {}): PatientEvent => ({
  type: 'DoseAdministered',
  version: 1,
  data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: `${administeredAt}T09:00:00.000Z`, ...extra },
});
const statusEvent = (status: TreatmentStatus, effectiveAt: string): PatientEvent => ({
  type: 'TreatmentStatusChanged',
  version: 1,
  data: { patientId: 'P-001', status, effectiveAt: `${effectiveAt}T00:00:00.000Z`, reason: 'investigator decision' },
});

/** A patient with this disease and these events after enrolment; event ids e1 (enrolment), e2, … */
function patient(disease: string, ...events: PatientEvent[]): PatientState {
  const [enrolled] = decide(enrolment({ disease }), initialPatientState, { now: NOW });
  return [enrolled, ...events].reduce((s, event, i) => evolve(s, { eventId: `e${i + 1}`, event }), initialPatientState);
}

// Day 1 = 11 January 2024 (e2): induction Day 1–5 = 11–15 January (e2–e6).
// The fixed grid from Day 1 (docs/protocol.md): RA Day 15 = 25 January, Day 29 = 8 February, …, Day 183 = 11 July; SLE Day 15, 22, 29, …
const INDUCTION = ['2024-01-11', '2024-01-12', '2024-01-13', '2024-01-14', '2024-01-15'].map((d) => doseEvent(d));
const ids = (deviations: { ruleId: string }[]) => deviations.map((d) => d.ruleId);

/** The deviations of one dose (by event id) once it stands among the patient's doses. */
function deviationsOf(state: PatientState, eventId: string, options: DosingOptions = {}) {
  const grid = doseGrid(state, PatientChart.of(state), options);
  const placed = grid.doses.find((p) => p.dose.entry.eventId === eventId);
  if (!placed) throw new Error(`no dose ${eventId}`);
  return [...amountAndRoute(eventId, placed.dose.entry.current), ...timingDeviations(grid, placed)];
}
/** The deviations of a dose given on `day` after these events. */
const deviationsOfNew = (disease: string, events: PatientEvent[], day: string, extra: Partial<DoseAdministeredData> = {}, options: DosingOptions = {}) =>
  deviationsOf(patient(disease, ...events, doseEvent(day, extra)), `e${events.length + 2}`, options);
const missedAt = (state: PatientState, at: string) => missedDoses(state, doseGrid(state, PatientChart.of(state)), Date.parse(at));
const missedDays = (state: PatientState, at: string) => missedAt(state, at).map((d) => d.dueAt?.slice(0, 10));

describe('dose amount and route, docs/protocol.md "Treatment"', () => {
  it('finds nothing wrong with 1 MIU subcutaneously on Day 1', () => {
    expect(deviationsOfNew('RA', [], '2024-01-11')).toEqual([]);
  });

  it('flags a dose other than 1 MIU', () => {
    const [deviation] = deviationsOfNew('RA', [], '2024-01-11', { dose: 2 });
    expect(deviation).toMatchObject({ ruleId: 'DOSE-AMOUNT', doseEventId: 'e2', expected: '1 MIU', actual: '2 MIU' });
  });

  it('takes 1 000 000 [IU] as 1 MIU, and flags a unit it cannot compare', () => {
    expect(deviationsOfNew('RA', [], '2024-01-11', { dose: 1_000_000, unit: '[IU]' })).toEqual([]);
    expect(ids(deviationsOfNew('RA', [], '2024-01-11', { unit: 'mg' }))).toEqual(['DOSE-AMOUNT']);
  });

  it('flags a route other than subcutaneous, accepting its spellings', () => {
    expect(ids(deviationsOfNew('RA', [], '2024-01-11', { route: 'IV' }))).toEqual(['DOSE-ROUTE']);
    expect(deviationsOfNew('RA', [], '2024-01-11', { route: 'subcutaneous' })).toEqual([]);
  });
});

describe('induction: one dose a day on Days 1–5 (issue 11, defect 8)', () => {
  it('flags a sixth daily dose as an extra induction dose', () => {
    expect(ids(deviationsOfNew('RA', INDUCTION, '2024-01-16'))).toEqual(['DOSE-EXTRA-INDUCTION']);
  });

  it('flags a second dose on one day', () => {
    expect(ids(deviationsOfNew('RA', INDUCTION.slice(0, 2), '2024-01-12'))).toEqual(['DOSE-SAME-DAY']);
  });

  it('flags a gap: an induction dose with no dose the day before', () => {
    const [deviation] = deviationsOfNew('RA', INDUCTION.slice(0, 2), '2024-01-14');
    expect(deviation).toMatchObject({ ruleId: 'DOSE-INDUCTION-GAP', message: expect.stringContaining('no dose on Day 3') });
  });

  it('does not count a voided dose: the day it was on has no dose, and the next dose is late induction', () => {
    const voided: PatientEvent = {
      type: 'DoseEnteredInError',
      version: 1,
      data: { patientId: 'P-001', originalEventId: 'e6', oldValues: INDUCTION[4].data as DoseAdministeredData, reason: 'other patient' },
    };
    expect(ids(deviationsOfNew('RA', [...INDUCTION, voided], '2024-01-16'))).toEqual(['DOSE-INDUCTION-GAP']);
  });

  it('misses each induction day that passed with no dose, Day 1 being the first dose', () => {
    const firstThree = patient('RA', ...INDUCTION.slice(0, 3));
    expect(missedDays(firstThree, '2024-01-14T23:59:00Z')).toEqual([]);
    expect(missedDays(firstThree, '2024-01-15T00:00:00Z')).toEqual(['2024-01-14']);
    expect(missedDays(firstThree, '2024-01-16T00:00:00Z')).toEqual(['2024-01-14', '2024-01-15']);
  });
});

describe('maintenance on the fixed grid from Day 1 (issue 11, defect 8)', () => {
  it.each([
    ['2024-01-23', []],
    ['2024-01-25', []],
    ['2024-01-27', []],
    ['2024-01-22', ['DOSE-WINDOW']],
    ['2024-01-28', ['DOSE-WINDOW']],
  ])('judges a first RA maintenance dose on %s against Day 15 (25 January) ± 2 days', (day, expected) => {
    expect(ids(deviationsOfNew('RA', INDUCTION, day))).toEqual(expected);
  });

  it.each([
    ['2024-01-23', []],
    ['2024-02-01', []],
    ['2024-01-22', ['DOSE-WINDOW']],
  ])('judges an SLE maintenance dose on %s against its grid (Day 15, 22, … ± 2 days)', (day, expected) => {
    expect(ids(deviationsOfNew('SLE', [...INDUCTION, doseEvent('2024-01-25')], day))).toEqual(expected);
  });

  it('takes the window as a parameter (VIGIL_DOSE_WINDOW_DAYS)', () => {
    expect(deviationsOfNew('RA', INDUCTION, '2024-01-28', {}, { windowDays: 3 })).toEqual([]);
  });

  it('says when the dose was due and how late it was', () => {
    expect(deviationsOfNew('RA', [...INDUCTION, doseEvent('2024-01-25')], '2024-02-14')[0]).toMatchObject({
      ruleId: 'DOSE-WINDOW',
      dueAt: '2024-02-08T00:00:00.000Z',
      expected: '2024-02-08 ± 2 days',
      message: expect.stringContaining('6 days late'),
    });
  });

  it('does not move the next due day after a late dose: the next is still on the grid', () => {
    // Day 15 given 3 days late (28 January); Day 29 is still 8 February, not 11 February.
    const events = [...INDUCTION, doseEvent('2024-01-28')];
    expect(deviationsOfNew('RA', events, '2024-02-08')).toEqual([]);
    expect(ids(deviationsOfNew('RA', events, '2024-02-11'))).toEqual(['DOSE-WINDOW']);
  });

  it('catches a patient dosed every 17 days: deviations, and a missed dose once the drift passes a due day', () => {
    const every17 = ['2024-02-01', '2024-02-18', '2024-03-06', '2024-03-23'].map((d) => doseEvent(d));
    const state = patient('RA', ...INDUCTION, ...every17);
    const deviations = ['e7', 'e8', 'e9', 'e10'].map((id) => ids(deviationsOf(state, id)));
    expect(deviations).toEqual([['DOSE-WINDOW'], ['DOSE-WINDOW'], [], []]);
    expect(missedDays(state, '2024-03-24T00:00:00Z')).toEqual(['2024-02-08']);
  });

  it('flags a dose after the last maintenance day', () => {
    const grid = ['2024-01-25', '2024-02-08', '2024-02-22', '2024-03-07', '2024-03-21', '2024-04-04', '2024-04-18', '2024-05-02', '2024-05-16'];
    const rest = ['2024-05-30', '2024-06-13', '2024-06-27', '2024-07-11'];
    const events = [...INDUCTION, ...[...grid, ...rest].map((d) => doseEvent(d))];
    expect(deviationsOfNew('RA', events, '2024-07-25')[0]).toMatchObject({ ruleId: 'DOSE-WINDOW', message: expect.stringContaining('no dose after Day 183') });
  });
});

describe('missed doses', () => {
  it('finds a maintenance dose whose window closed with no dose', () => {
    const state = patient('RA', ...INDUCTION);
    expect(missedAt(state, '2024-01-27T23:59:00Z')).toEqual([]);
    expect(missedAt(state, '2024-01-28T00:00:00Z')).toEqual([
      { ruleId: 'DOSE-MISSED', dueAt: '2024-01-25T00:00:00.000Z', expected: '2024-01-25 ± 2 days', message: expect.stringContaining('due Day 15') },
    ]);
  });

  it('finds the due days a later dose skipped', () => {
    expect(missedDays(patient('RA', ...INDUCTION, doseEvent('2024-02-22')), '2024-02-23T00:00:00Z')).toEqual(['2024-01-25', '2024-02-08']);
  });

  it('counts a late dose once: as late, not also as missed', () => {
    const state = patient('RA', ...INDUCTION, doseEvent('2024-01-29'));
    expect(missedDays(state, '2024-01-30T00:00:00Z')).toEqual([]);
    expect(ids(deviationsOf(state, 'e7'))).toEqual(['DOSE-WINDOW']);
  });

  it('stops at the last maintenance day', () => {
    const missed = missedDays(patient('RA', ...INDUCTION), '2025-01-01T00:00:00Z');
    expect(missed).toHaveLength(13);
    expect(missed[12]).toBe('2024-07-11');
  });

  it('expects nothing before the first dose: Day 1 is not known', () => {
    expect(missedAt(patient('RA'), '2025-01-01T00:00:00Z')).toEqual([]);
  });

  it.each(['suspended', 'discontinued', 'completed', 'withdrawn'] as const)('expects no dose after the treatment is %s, until it resumes', (status) => {
    const stopped = patient('RA', ...INDUCTION, statusEvent(status, '2024-01-20'));
    expect(missedAt(stopped, '2025-01-01T00:00:00Z')).toEqual([]);
    const resumed = patient('RA', ...INDUCTION, statusEvent(status, '2024-01-20'), statusEvent('on-treatment', '2024-02-01'));
    expect(missedDays(resumed, '2024-02-12T00:00:00Z')).toEqual(['2024-02-08']);
  });

  it('expects no dose after a fatal adverse event', () => {
    const fatal: PatientEvent = {
      type: 'AdverseEventReported',
      version: 1,
      data: {
        patientId: 'P-001',
        term: 'Myocardial infarction',
        onsetAt: '2024-01-20T00:00:00.000Z',
        grade: 5,
        serious: true,
        seriousnessCriteria: ['death'],
        outcome: 'fatal',
      },
    };
    expect(missedAt(patient('RA', ...INDUCTION, fatal), '2025-01-01T00:00:00Z')).toEqual([]);
  });

  it('flags a dose given after the treatment stopped', () => {
    expect(ids(deviationsOfNew('RA', [...INDUCTION, statusEvent('discontinued', '2024-01-20')], '2024-01-25'))).toEqual(['DOSE-AFTER-STOP']);
  });
});

describe('doseCompliance', () => {
  it('counts doses given, expected and deviations', () => {
    const state = patient('RA', ...INDUCTION, doseEvent('2024-01-29', { route: 'IV' }));
    expect(doseCompliance(state, PatientChart.of(state), new Date('2024-02-09T00:00:00Z'), { protocol: TRANSREG })).toEqual({
      given: 6,
      expected: 7, // 5 induction + Day 15 (25 January) and Day 29 (8 February)
      deviations: 2, // DOSE-ROUTE and DOSE-WINDOW of the 29 January dose (late for Day 15); Day 29 is not yet missed
      missed: 0,
      byRule: { 'DOSE-ROUTE': 1, 'DOSE-WINDOW': 1 },
    });
  });
});
