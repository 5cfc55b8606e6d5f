import type { LabResultRecordedData, PatientEvent } from '../events';
import { evolve } from './evolve';
import { initialPatientState, activeLabs } from './patient-state';
import { enrolment, given } from './patient-fixtures';
import { replayPatient } from './patient-fold';

describe('evolve', () => {
  it('enrols: demographics, site, disease and version', () => {
    const { state } = given(enrolment());
    expect(state).toMatchObject({
      enrolled: true,
      patientId: 'P-001',
      trialId: 'TRANSREG',
      siteId: 'PSL',
      disease: 'RA',
      demographics: { sex: 'F', birthYear: 1970, weightKg: 60 },
      version: 1,
    });
  });

  it('keeps the original values beside the current ones after two corrections', () => {
    const { state } = given(
      enrolment(),
      { type: 'RecordLabResult', test: 'WBC', value: 1.5, unit: '10*9/L', collectedAt: '2024-02-01T08:00:00Z' },
      { type: 'CorrectLabResult', eventId: 'e2', changes: { value: 2.5 }, reason: 'first fix' },
      { type: 'CorrectLabResult', eventId: 'e2', changes: { value: 3.5 }, reason: 'second fix' },
    );
    expect(state.labs.e2.original.value).toBe(1.5);
    expect(state.labs.e2.current.value).toBe(3.5);
    expect(state.labs.e2.current.normalised.value).toBe(3.5);
    expect(state.labs.e2.corrections).toEqual(['e3', 'e4']);
    expect(state.version).toBe(4);
  });

  it('leaves voided results out of the active list', () => {
    const { state } = given(
      enrolment(),
      { type: 'RecordLabResult', test: 'WBC', value: 1.5, unit: '10*9/L', collectedAt: '2024-02-01T08:00:00Z' },
      { type: 'RecordLabResult', test: 'WBC', value: 4.5, unit: '10*9/L', collectedAt: '2024-01-01T08:00:00Z' },
      { type: 'VoidLabResult', eventId: 'e2', reason: 'haemolysed sample' },
    );
    expect(activeLabs(state).map((l) => l.eventId)).toEqual(['e3']);
    expect(state.labs.e2.voided).toBe(true);
  });

  it('does not change the state it was given', () => {
    const before = given(enrolment()).state;
    const snapshot = JSON.stringify(before);
    evolve(before, {
      eventId: 'x',
      event: {
        type: 'DoseAdministered',
        version: 1,
        data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T00:00:00.000Z' },
      },
    });
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('evolving an older state again leaves every state handed out as it was (a cache falling back to an older state)', () => {
    const platelets = (value: number): LabResultRecordedData => ({
      patientId: 'P-001',
      test: 'PLAT',
      value,
      unit: '10*9/L',
      collectedAt: '2024-02-01T08:00:00.000Z',
      normalised: { value, unit: '10*9/L' },
    });
    const lab = (value: number): PatientEvent => ({ type: 'LabResultRecorded', version: 2, data: platelets(value) });
    const enrolled = given(enrolment()).state;
    const first = evolve(enrolled, { eventId: 'a', event: lab(100) });
    const second = evolve(first, { eventId: 'b', event: lab(200) });
    const other = evolve(first, { eventId: 'c', event: lab(70) });
    const corrected = evolve(second, {
      eventId: 'd',
      event: {
        type: 'LabResultCorrected',
        version: 1,
        data: { patientId: 'P-001', originalEventId: 'a', oldValues: {} as never, newValues: platelets(110), changedFields: ['value'], reason: 'typo' },
      },
    });

    expect(Object.keys(first.labs)).toEqual(['a']);
    expect(Object.keys(second.labs)).toEqual(['a', 'b']);
    expect(Object.keys(other.labs)).toEqual(['a', 'c']);
    expect(second.labs.a.current.value).toBe(100);
    expect(corrected.labs.a).toMatchObject({ current: { value: 110 }, original: { value: 100 }, corrections: ['d'] });
    expect(other.labs.a.current.value).toBe(100);
  });

  it('gives a state that reads, compares and serialises as a plain object, and cannot be changed', () => {
    const { state } = given(enrolment(), { type: 'RecordLabResult', test: 'WBC', value: 1.5, unit: '10*9/L', collectedAt: '2024-02-01T08:00:00Z' });
    const plain = JSON.parse(JSON.stringify(state)) as typeof state;
    expect(state).toStrictEqual(plain);
    expect({ ...state }).toStrictEqual(plain);
    expect(Object.keys(state)).toEqual([
      'enrolled',
      'patientId',
      'trialId',
      'siteId',
      'disease',
      'demographics',
      'enrolledAt',
      'doses',
      'labs',
      'adverseEvents',
      'followUps',
      'treatment',
      'version',
    ]);
    expect(Object.isFrozen(state) && Object.isFrozen(state.labs)).toBe(true);
    expect(
      evolve(plain, {
        eventId: 'x',
        event: {
          type: 'DoseAdministered',
          version: 1,
          data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-02-02T08:00:00.000Z' },
        },
      }),
    ).toStrictEqual(
      evolve(state, {
        eventId: 'x',
        event: {
          type: 'DoseAdministered',
          version: 1,
          data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-02-02T08:00:00.000Z' },
        },
      }),
    );
  });

  it('throws on a correction of an event the stream does not hold: a damaged stream is never read as if whole', () => {
    const { state } = given(enrolment());
    expect(() =>
      evolve(state, {
        eventId: 'e9',
        event: { type: 'LabResultEnteredInError', version: 1, data: { patientId: 'P-001', originalEventId: 'missing', oldValues: {} as never, reason: 'x' } },
      }),
    ).toThrow(/damaged/);
  });
});

describe('replayPatient', () => {
  it('folds stored envelopes, upcasting a v1 lab result recorded before normalisation existed', () => {
    const state = replayPatient([
      {
        eventId: 'a',
        type: 'PatientEnrolled',
        schemaVersion: 1,
        data: {
          patientId: 'P-1',
          trialId: 'TRANSREG',
          siteId: 'SAT',
          disease: 'SLE',
          sex: 'M',
          birthYear: 1980,
          weightKg: 80,
          enrolledAt: '2024-01-01T00:00:00.000Z',
        },
      },
      {
        eventId: 'b',
        type: 'LabResultRecorded',
        schemaVersion: 1,
        data: { patientId: 'P-1', test: 'LYM', value: 550, unit: '/mm3', collectedAt: '2024-01-02T00:00:00.000Z' },
      },
    ]);
    expect(state.version).toBe(2);
    expect(state.labs.b.current.normalised).toEqual({ value: 0.55, unit: '10*9/L' });
  });

  it('gives the initial state for an empty stream', () => {
    expect(replayPatient([])).toBe(initialPatientState);
  });
});
