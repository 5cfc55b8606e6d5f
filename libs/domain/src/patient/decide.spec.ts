import fc from 'fast-check';
import { EventAlreadyVoidedError, EventNotFoundError, PatientAlreadyEnrolledError, PatientNotFoundError, ValidationError } from '../errors';
import type { PatientCommand, RecordLabResult } from './commands';
import { decide } from './decide';
import { initialPatientState } from './patient-state';
import { NOW, enrolment, given } from './patient-fixtures';

const ctx = { now: NOW };
const enrolled = () => given(enrolment()).state;

const fieldOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  throw new Error('expected a ValidationError');
};

const lab = (overrides: Partial<RecordLabResult> = {}): RecordLabResult => ({
  type: 'RecordLabResult',
  test: 'PLAT',
  value: 79000,
  unit: '/mm3',
  collectedAt: '2024-02-01T08:00:00Z',
  ...overrides,
});

describe('decide: EnrolPatient', () => {
  it('enrols a patient into TRANSREG', () => {
    expect(decide(enrolment(), initialPatientState, ctx)).toEqual([
      {
        type: 'PatientEnrolled',
        version: 1,
        data: {
          patientId: 'P-001',
          trialId: 'TRANSREG',
          siteId: 'PSL',
          disease: 'RA',
          sex: 'F',
          birthYear: 1970,
          weightKg: 60,
          enrolledAt: '2024-01-10T09:00:00.000Z',
        },
      },
    ]);
  });

  it('refuses to enrol the same patient twice', () => {
    expect(() => decide(enrolment(), enrolled(), ctx)).toThrow(PatientAlreadyEnrolledError);
  });

  it('refuses a disease outside the 14 of the protocol', () => {
    expect(fieldOf(() => decide(enrolment({ disease: 'MS' }), initialPatientState, ctx))).toBe('disease');
  });

  it('refuses a malformed site id, and accepts a site the protocol does not list yet', () => {
    expect(fieldOf(() => decide(enrolment({ siteId: 'Lyon Sud!' }), initialPatientState, ctx))).toBe('siteId');
    expect(decide(enrolment({ siteId: 'LYON' }), initialPatientState, ctx)[0].data).toMatchObject({ siteId: 'LYON' });
  });

  it('enrols a patient who turns 18 in the enrolment year and refuses one who turns 17', () => {
    expect(decide(enrolment({ birthYear: 2006 }), initialPatientState, ctx)).toHaveLength(1);
    expect(fieldOf(() => decide(enrolment({ birthYear: 2007 }), initialPatientState, ctx))).toBe('birthYear');
  });

  it.each([20, 350])('accepts a weight of %s kg', (weightKg) => {
    expect(decide(enrolment({ weightKg }), initialPatientState, ctx)).toHaveLength(1);
  });

  it.each([19.9, 350.1, Number.NaN])('refuses a weight of %s kg', (weightKg) => {
    expect(fieldOf(() => decide(enrolment({ weightKg }), initialPatientState, ctx))).toBe('weightKg');
  });

  it('accepts an enrolment date within the 5-minute clock skew and refuses one beyond it', () => {
    const skewed = new Date(NOW.getTime() + 5 * 60_000).toISOString();
    const beyond = new Date(NOW.getTime() + 5 * 60_000 + 1).toISOString();
    expect(decide(enrolment({ enrolledAt: skewed }), initialPatientState, ctx)).toHaveLength(1);
    expect(fieldOf(() => decide(enrolment({ enrolledAt: beyond }), initialPatientState, ctx))).toBe('enrolledAt');
  });

  it('honours a configured clock skew', () => {
    const inTenMinutes = new Date(NOW.getTime() + 10 * 60_000).toISOString();
    expect(decide(enrolment({ enrolledAt: inTenMinutes }), initialPatientState, { now: NOW, maxClockSkewMs: 15 * 60_000 })).toHaveLength(1);
  });

  it.each(['2024-02-30', '2024-01-10T09:00:00', 'yesterday', '2024-13-01'])('refuses the date %s', (enrolledAt) => {
    expect(fieldOf(() => decide(enrolment({ enrolledAt }), initialPatientState, ctx))).toBe('enrolledAt');
  });

  it('stores a date-time with an offset in UTC', () => {
    const [event] = decide(enrolment({ enrolledAt: '2024-01-10T10:00:00+01:00' }), initialPatientState, ctx);
    expect(event.type === 'PatientEnrolled' && event.data.enrolledAt).toBe('2024-01-10T09:00:00.000Z');
  });
});

describe('decide: clinical records need an enrolled patient', () => {
  it.each<PatientCommand>([
    { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00Z' },
    lab(),
    { type: 'ReportAdverseEvent', term: 'fever', onsetAt: '2024-01-12T09:00:00Z', grade: 1, serious: false },
    { type: 'VoidLabResult', eventId: 'e1', reason: 'wrong patient' },
  ])('refuses $type for a patient never enrolled', (command) => {
    expect(() => decide({ ...command, patientId: 'P-404' }, initialPatientState, ctx)).toThrow(PatientNotFoundError);
  });
});

describe('decide: RecordDose', () => {
  it('records a protocol dose', () => {
    expect(decide({ type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00Z', lot: 'L42' }, enrolled(), ctx)).toEqual([
      {
        type: 'DoseAdministered',
        version: 1,
        data: { patientId: 'P-001', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00.000Z', lot: 'L42' },
      },
    ]);
  });

  it('records a dose of another size and route: a deviation is flagged later, never refused', () => {
    const [event] = decide({ type: 'RecordDose', dose: 3, unit: 'MIU', route: 'IV', administeredAt: '2024-01-11T09:00:00Z' }, enrolled(), ctx);
    expect(event.data).toMatchObject({ dose: 3, route: 'IV' });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a dose of %s', (dose) => {
    expect(fieldOf(() => decide({ type: 'RecordDose', dose, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00Z' }, enrolled(), ctx))).toBe('dose');
  });

  it('refuses a dose given in the future', () => {
    expect(fieldOf(() => decide({ type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-06-02T00:00:00Z' }, enrolled(), ctx))).toBe(
      'administeredAt',
    );
  });
});

describe('decide: RecordLabResult', () => {
  it('records the result as reported and normalised into the canonical unit', () => {
    const [event] = decide(lab({ referenceRange: { low: 150000, high: 400000 }, studyDay: 8 }), enrolled(), ctx);
    expect(event).toEqual({
      type: 'LabResultRecorded',
      version: 2,
      data: {
        patientId: 'P-001',
        test: 'PLAT',
        loinc: '777-3',
        value: 79000,
        unit: '/mm3',
        referenceRange: { low: 150000, high: 400000 },
        collectedAt: '2024-02-01T08:00:00.000Z',
        studyDay: 8,
        normalised: { value: 79, unit: '10*9/L', referenceRange: { low: 150, high: 400 } },
      },
    });
  });

  it('accepts a baseline collected before enrolment', () => {
    expect(decide(lab({ collectedAt: '2023-12-20T08:00:00Z' }), enrolled(), ctx)).toHaveLength(1);
  });

  it('refuses a result collected before the patient was born', () => {
    expect(fieldOf(() => decide(lab({ collectedAt: '1969-12-31T08:00:00Z' }), enrolled(), ctx))).toBe('collectedAt');
  });

  it('refuses an unknown unit, an unknown test and an impossible value', () => {
    expect(fieldOf(() => decide(lab({ unit: 'mmol/L' }), enrolled(), ctx))).toBe('unit');
    expect(fieldOf(() => decide(lab({ test: 'XYZ' }), enrolled(), ctx))).toBe('test');
    expect(fieldOf(() => decide(lab({ value: -5 }), enrolled(), ctx))).toBe('value');
  });

  it('records a result sent with its LOINC code under the CDISC code, keeping the code as reported (issue 11)', () => {
    const [event] = decide(lab({ test: '777-3', value: 0.079, unit: 'G/L' }), enrolled(), ctx);
    expect(event.data).toMatchObject({
      test: 'PLAT',
      loinc: '777-3',
      reportedTest: '777-3',
      value: 0.079,
      unit: 'G/L',
      normalised: { value: 0.079, unit: '10*9/L' },
    });
  });

  it('refuses a result collected in the future', () => {
    expect(fieldOf(() => decide(lab({ collectedAt: '2024-07-01' }), enrolled(), ctx))).toBe('collectedAt');
  });
});

describe('decide: ReportAdverseEvent', () => {
  const ae = { type: 'ReportAdverseEvent' as const, term: 'injection-site reaction', onsetAt: '2024-01-12T09:00:00Z', grade: 1, serious: false };

  it('records a non-serious adverse event', () => {
    expect(decide({ ...ae, relatedness: 'probable', outcome: 'recovered' }, enrolled(), ctx)).toEqual([
      {
        type: 'AdverseEventReported',
        version: 1,
        data: {
          patientId: 'P-001',
          term: 'injection-site reaction',
          onsetAt: '2024-01-12T09:00:00.000Z',
          awareAt: '2024-06-01T12:00:00.000Z', // the recording time, by default
          grade: 1,
          serious: false,
          relatedness: 'probable',
          outcome: 'recovered',
        },
      },
    ]);
  });

  it('records when the investigator became aware of it: not before the onset, not in the future (issue 11)', () => {
    expect(decide({ ...ae, awareAt: '2024-01-13T10:00:00+02:00' }, enrolled(), ctx)[0].data).toMatchObject({ awareAt: '2024-01-13T08:00:00.000Z' });
    expect(fieldOf(() => decide({ ...ae, awareAt: '2024-01-12T08:59:00Z' }, enrolled(), ctx))).toBe('awareAt');
    expect(fieldOf(() => decide({ ...ae, awareAt: '2024-07-01T00:00:00Z' }, enrolled(), ctx))).toBe('awareAt');
    expect(fieldOf(() => decide({ ...ae, awareAt: 'yesterday' }, enrolled(), ctx))).toBe('awareAt');
  });

  it('records a serious adverse event with its criteria', () => {
    const [event] = decide({ ...ae, grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] }, enrolled(), ctx);
    expect(event.data).toMatchObject({ serious: true, seriousnessCriteria: ['hospitalisation'] });
  });

  it.each([0, 6, 2.5])('refuses grade %s', (grade) => {
    expect(fieldOf(() => decide({ ...ae, grade }, enrolled(), ctx))).toBe('grade');
  });

  it('accepts grades 1 and 5 (5 being serious)', () => {
    expect(decide({ ...ae, grade: 5, serious: true, seriousnessCriteria: ['death'], outcome: 'fatal' }, enrolled(), ctx)).toHaveLength(1);
  });

  it('refuses a serious adverse event without seriousness criteria', () => {
    expect(fieldOf(() => decide({ ...ae, serious: true }, enrolled(), ctx))).toBe('seriousnessCriteria');
    expect(fieldOf(() => decide({ ...ae, serious: true, seriousnessCriteria: [] }, enrolled(), ctx))).toBe('seriousnessCriteria');
  });

  it('refuses seriousness criteria on a non-serious adverse event', () => {
    expect(fieldOf(() => decide({ ...ae, seriousnessCriteria: ['hospitalisation'] }, enrolled(), ctx))).toBe('seriousnessCriteria');
  });

  it('refuses a death recorded as non-serious', () => {
    expect(fieldOf(() => decide({ ...ae, grade: 5 }, enrolled(), ctx))).toBe('serious');
    expect(fieldOf(() => decide({ ...ae, outcome: 'fatal' }, enrolled(), ctx))).toBe('serious');
  });

  it('refuses an onset in the future', () => {
    expect(fieldOf(() => decide({ ...ae, onsetAt: '2025-01-01' }, enrolled(), ctx))).toBe('onsetAt');
  });
});

describe('decide: refused commands record nothing (property)', () => {
  it('either returns well-formed events or throws a typed domain error, for any lab input', () => {
    const state = enrolled();
    fc.assert(
      fc.property(
        fc.record({
          test: fc.constantFrom('PLAT', 'WBC', 'HGB', 'ALT', 'CREAT', 'BOGUS'),
          value: fc.oneof(fc.double(), fc.integer({ min: -10, max: 200000 })),
          unit: fc.constantFrom('/mm3', '10*9/L', 'g/dL', 'U/L', 'mg/dL', 'umol/L', 'bad'),
          collectedAt: fc.constantFrom('2024-02-01T08:00:00Z', '2030-01-01T00:00:00Z', '1900-01-01', 'nope'),
        }),
        (input) => {
          let events: unknown[] | undefined;
          try {
            events = decide({ type: 'RecordLabResult', ...input }, state, ctx);
          } catch (e) {
            expect(e).toBeInstanceOf(ValidationError);
            return;
          }
          expect(events).toHaveLength(1);
          const data = (events[0] as { data: { normalised: { value: number } } }).data;
          expect(Number.isFinite(data.normalised.value)).toBe(true);
          expect(data.normalised.value).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('decide: corrections and voids', () => {
  const history = () => given(enrolment(), lab({ referenceRange: { low: 150000, high: 400000 } }));

  it('corrects a lab value, keeping the old values, the new full values and the reason', () => {
    const { state, ids } = history();
    const [event] = decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { value: 179000 }, reason: 'transcription error' }, state, ctx);
    expect(event.type).toBe('LabResultCorrected');
    expect(event.data).toMatchObject({
      patientId: 'P-001',
      originalEventId: 'e2',
      oldValues: { value: 79000, normalised: { value: 79 } },
      newValues: { value: 179000, unit: '/mm3', normalised: { value: 179, unit: '10*9/L', referenceRange: { low: 150, high: 400 } } },
      changedFields: ['normalised', 'value'],
      reason: 'transcription error',
    });
  });

  it('re-normalises when a correction changes the unit', () => {
    const { state, ids } = history();
    const [event] = decide(
      { type: 'CorrectLabResult', eventId: ids[1], changes: { value: 79, unit: '10*3/uL', referenceRange: null }, reason: 'lab re-issued' },
      state,
      ctx,
    );
    expect(event.type === 'LabResultCorrected' && event.data.newValues).toMatchObject({
      value: 79,
      unit: '10*3/uL',
      normalised: { value: 79, unit: '10*9/L' },
    });
    expect(event.type === 'LabResultCorrected' && event.data.newValues.referenceRange).toBeUndefined();
  });

  it('refuses a correction that changes nothing', () => {
    const { state, ids } = history();
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { value: 79000 }, reason: 'x' }, state, ctx))).toBe('changes');
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: {}, reason: 'x' }, state, ctx))).toBe('changes');
  });

  it('refuses a correction without a reason', () => {
    const { state, ids } = history();
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { value: 1 }, reason: '  ' }, state, ctx))).toBe('reason');
  });

  it('holds a correction to the rules of the first recording', () => {
    const { state, ids } = history();
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { unit: 'g/L' }, reason: 'x' }, state, ctx))).toBe('unit');
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { value: null } as never, reason: 'x' }, state, ctx))).toBe('value');
    expect(fieldOf(() => decide({ type: 'CorrectLabResult', eventId: ids[1], changes: { normalised: 1 } as never, reason: 'x' }, state, ctx))).toBe('changes');
  });

  it('refuses to correct or void an event that does not exist or is of another kind', () => {
    const { state, ids } = history();
    expect(() => decide({ type: 'CorrectLabResult', eventId: 'nope', changes: { value: 1 }, reason: 'x' }, state, ctx)).toThrow(EventNotFoundError);
    expect(() => decide({ type: 'VoidDose', eventId: ids[1], reason: 'x' }, state, ctx)).toThrow(EventNotFoundError);
    expect(() => decide({ type: 'VoidLabResult', eventId: ids[0], reason: 'x' }, state, ctx)).toThrow(EventNotFoundError);
  });

  it('voids a lab result once, then refuses to void or correct it again', () => {
    const { state } = given(enrolment(), lab(), { type: 'VoidLabResult', eventId: 'e2', reason: 'wrong patient' });
    expect(state.labs.e2).toMatchObject({ voided: true, voidReason: 'wrong patient' });
    expect(() => decide({ type: 'VoidLabResult', eventId: 'e2', reason: 'again' }, state, ctx)).toThrow(EventAlreadyVoidedError);
    expect(() => decide({ type: 'CorrectLabResult', eventId: 'e2', changes: { value: 1 }, reason: 'x' }, state, ctx)).toThrow(EventAlreadyVoidedError);
  });

  it('corrects a dose and removes its lot', () => {
    const { state } = given(enrolment(), { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00Z', lot: 'L1' });
    const [event] = decide({ type: 'CorrectDose', eventId: 'e2', changes: { dose: 2, lot: null }, reason: 'pharmacy log' }, state, ctx);
    expect(event.data).toMatchObject({ changedFields: ['dose', 'lot'], newValues: { dose: 2 } });
    expect(event.type === 'DoseCorrected' && 'lot' in event.data.newValues).toBe(false);
  });

  it('follows an adverse event becoming serious, and refuses seriousness without criteria', () => {
    const { state } = given(enrolment(), { type: 'ReportAdverseEvent', term: 'fever', onsetAt: '2024-01-12T09:00:00Z', grade: 2, serious: false });
    expect(fieldOf(() => decide({ type: 'CorrectAdverseEvent', eventId: 'e2', changes: { serious: true }, reason: 'admitted' }, state, ctx))).toBe(
      'seriousnessCriteria',
    );
    const [event] = decide(
      { type: 'CorrectAdverseEvent', eventId: 'e2', changes: { grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] }, reason: 'admitted' },
      state,
      ctx,
    );
    expect(event.data).toMatchObject({
      oldValues: { grade: 2, serious: false },
      newValues: { grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] },
    });
  });

  it('voids a dose and an adverse event', () => {
    const { state } = given(
      enrolment(),
      { type: 'RecordDose', dose: 1, unit: 'MIU', route: 'SC', administeredAt: '2024-01-11T09:00:00Z' },
      { type: 'ReportAdverseEvent', term: 'fever', onsetAt: '2024-01-12T09:00:00Z', grade: 1, serious: false },
    );
    expect(decide({ type: 'VoidDose', eventId: 'e2', reason: 'duplicate entry' }, state, ctx)[0]).toMatchObject({
      type: 'DoseEnteredInError',
      data: { originalEventId: 'e2', oldValues: { dose: 1 } },
    });
    expect(decide({ type: 'VoidAdverseEvent', eventId: 'e3', reason: 'other patient' }, state, ctx)[0]).toMatchObject({
      type: 'AdverseEventEnteredInError',
      data: { originalEventId: 'e3' },
    });
  });
});
