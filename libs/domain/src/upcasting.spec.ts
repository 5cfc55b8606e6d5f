import { CURRENT_SCHEMA_VERSION, upcast } from './upcasting';

const v1Lab = {
  patientId: 'P-001',
  test: 'PLAT',
  value: 79000,
  unit: '/mm3',
  referenceRange: { low: 150000, high: 400000 },
  collectedAt: '2015-03-01T08:00:00.000Z',
};

describe('upcast', () => {
  it('writes LabResultRecorded at version 2 and everything else at version 1', () => {
    expect(CURRENT_SCHEMA_VERSION.LabResultRecorded).toBe(2);
    expect(CURRENT_SCHEMA_VERSION.PatientEnrolled).toBe(1);
    expect(CURRENT_SCHEMA_VERSION.AlertRaised).toBe(1);
  });

  it('adds the normalised value to a v1 lab result, reference range included', () => {
    expect(upcast('LabResultRecorded', 1, v1Lab)).toEqual({
      schemaVersion: 2,
      data: { ...v1Lab, normalised: { value: 79, unit: '10*9/L', referenceRange: { low: 150, high: 400 } } },
    });
  });

  it('tolerates a v1 lab result without a reference range', () => {
    const { referenceRange: _omitted, ...withoutRange } = v1Lab;
    expect(upcast('LabResultRecorded', 1, withoutRange).data).toEqual({ ...withoutRange, normalised: { value: 79, unit: '10*9/L' } });
    expect(upcast('LabResultRecorded', 1, { ...withoutRange, referenceRange: null }).data).toMatchObject({ normalised: { value: 79, unit: '10*9/L' } });
  });

  it('keeps a malformed v1 reference range as reported but leaves it out of the normalised value', () => {
    const data = upcast('LabResultRecorded', 1, { ...v1Lab, referenceRange: { low: 400000, high: 150000 } }).data;
    expect(data).toMatchObject({ referenceRange: { low: 400000, high: 150000 }, normalised: { value: 79, unit: '10*9/L' } });
    expect((data as { normalised: object }).normalised).not.toHaveProperty('referenceRange');
  });

  it('refuses to guess a v1 unit Vigil does not know', () => {
    expect(() => upcast('LabResultRecorded', 1, { ...v1Lab, unit: 'G/L' })).toThrow(/cannot upcast LabResultRecorded v1.*unit/);
  });

  it('leaves a current version untouched', () => {
    const v2 = { ...v1Lab, normalised: { value: 79, unit: '10*9/L' } };
    expect(upcast('LabResultRecorded', 2, v2)).toEqual({ schemaVersion: 2, data: v2 });
    expect(upcast('DoseAdministered', 1, { dose: 1 })).toEqual({ schemaVersion: 1, data: { dose: 1 } });
  });

  it('refuses a version newer than this code knows', () => {
    expect(() => upcast('LabResultRecorded', 3, v1Lab)).toThrow(/not known/);
    expect(() => upcast('PatientEnrolled', 0, {})).toThrow(/not known/);
  });

  it('passes event types outside the domain through', () => {
    expect(upcast('UserSignedIn', 4, { a: 1 })).toEqual({ schemaVersion: 4, data: { a: 1 } });
  });
});
