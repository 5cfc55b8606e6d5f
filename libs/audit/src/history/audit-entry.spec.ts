import { enrolled, platelets, storedStream } from '../testing/stored-events';
import { auditEntryOf } from './audit-entry';
import { patientHistory } from './patient-history';

describe('audit entries of a patient history', () => {
  const [enrolment, lab, correction, voiding] = storedStream('patient-TR-SAT-001', [
    { ...enrolled(), recordedAt: '2026-01-05T09:00:01.123Z' },
    { ...platelets(79, '2026-01-13T07:30:00.000Z'), eventId: '0d6f3a51-4c4e-4a57-9d0b-5bd8b1c3a001', recordedAt: '2026-01-13T10:02:00.000Z' },
    {
      type: 'LabResultCorrected',
      data: {
        patientId: 'TR-SAT-001',
        originalEventId: '0d6f3a51-4c4e-4a57-9d0b-5bd8b1c3a001',
        oldValues: platelets(79, '2026-01-13T07:30:00.000Z').data,
        newValues: { ...platelets(97, '2026-01-13T07:30:00.000Z').data },
        changedFields: ['value', 'normalised'],
        reason: 'Transcription error: the report reads 97',
      },
      occurredAt: '2026-01-14T08:00:00.000Z',
      recordedAt: '2026-01-14T08:00:00.000Z',
      user: { userId: 'u-dm', name: 'Data Manager Dana', role: 'data_manager' },
      reason: 'Transcription error: the report reads 97',
    },
    {
      type: 'LabResultEnteredInError',
      data: {
        patientId: 'TR-SAT-001',
        originalEventId: '0d6f3a51-4c4e-4a57-9d0b-5bd8b1c3a001',
        oldValues: platelets(97, '2026-01-13T07:30:00.000Z').data,
        reason: 'Wrong patient',
      },
      recordedAt: '2026-01-15T08:00:00.000Z',
      user: { userId: 'u-dm', name: 'Data Manager Dana', role: 'data_manager' },
      reason: 'Wrong patient',
    },
  ]);

  it('says a lab result in words, with the reported and the canonical value and the UTC collection time', () => {
    expect(auditEntryOf(lab).summary).toBe('Lab result PLAT 79 10*9/L (79 ×10⁹/L) collected 2026-01-13T07:30:00Z');
  });

  it('names who recorded it, in which role and for which site, with clinical and recording times in UTC', () => {
    expect(auditEntryOf(lab)).toMatchObject({
      version: 2,
      eventId: lab.eventId,
      type: 'LabResultRecorded',
      occurredAt: '2026-01-13T07:30:00.000Z',
      recordedAt: '2026-01-13T10:02:00.000Z',
      recordedBy: { userId: 'u-inv', name: 'Dr Claire Martin', role: 'investigator', siteId: 'SAT' },
      data: lab.data,
      hash: lab.hash,
    });
    expect(auditEntryOf(lab).changes).toBeUndefined();
  });

  it('shows a correction with each changed field, old and new, and the reason', () => {
    const entry = auditEntryOf(correction);
    expect(entry.changes).toEqual([
      { field: 'value', old: 79, new: 97 },
      { field: 'normalised.value', old: 79, new: 97 },
    ]);
    expect(entry.reason).toBe('Transcription error: the report reads 97');
    expect(entry.correctsEventId).toBe('0d6f3a51-4c4e-4a57-9d0b-5bd8b1c3a001');
    expect(entry.recordedBy).toEqual({ userId: 'u-dm', name: 'Data Manager Dana', role: 'data_manager', siteId: 'SAT' });
    expect(entry.summary).toBe(
      'Corrected lab result PLAT 79 10*9/L (79 ×10⁹/L) collected 2026-01-13T07:30:00Z: value 79 → 97; normalised.value 79 → 97. ' +
        'Reason: Transcription error: the report reads 97',
    );
  });

  it('shows a record marked entered in error with what it held and why', () => {
    expect(auditEntryOf(voiding).summary).toBe(
      'Marked entered in error: lab result PLAT 97 10*9/L (97 ×10⁹/L) collected 2026-01-13T07:30:00Z. Reason: Wrong patient',
    );
    expect(auditEntryOf(voiding).reason).toBe('Wrong patient');
  });

  it('says an enrolment in words', () => {
    expect(auditEntryOf(enrolment).summary).toBe('Enrolled patient TR-SAT-001 at site SAT: RA, sex F, born 1970, 65 kg, enrolled 2026-01-05T09:00:00Z');
  });

  it('keeps every event of the stream, in order, once', () => {
    const history = patientHistory('TR-SAT-001', [enrolment, lab, correction, voiding]);
    expect(history.entries.map((e) => [e.version, e.type])).toEqual([
      [1, 'PatientEnrolled'],
      [2, 'LabResultRecorded'],
      [3, 'LabResultCorrected'],
      [4, 'LabResultEnteredInError'],
    ]);
  });

  it('says the follow-ups of an adverse event, the treatment status and alert updates and closures in words', () => {
    const ae = '0d6f3a51-4c4e-4a57-9d0b-5bd8b1c3a0ae';
    const events = storedStream('patient-TR-SAT-001', [
      {
        type: 'SponsorReportRecorded',
        data: { patientId: 'TR-SAT-001', adverseEventId: ae, reportedAt: '2026-02-02T10:00:00Z', reference: 'SP-7' },
        recordedAt: '2026-02-07T00:00:00Z',
      },
      {
        type: 'AdverseEventAssessed',
        data: { patientId: 'TR-SAT-001', adverseEventId: ae, expected: false, causality: 'probable', assessedAt: '2026-02-03T10:00:00Z' },
        recordedAt: '2026-02-07T00:00:00Z',
      },
      {
        type: 'RegulatoryReportRecorded',
        data: { patientId: 'TR-SAT-001', adverseEventId: ae, reportedAt: '2026-02-05T10:00:00Z' },
        recordedAt: '2026-02-07T00:00:00Z',
      },
      {
        type: 'TreatmentStatusChanged',
        data: { patientId: 'TR-SAT-001', status: 'suspended', effectiveAt: '2026-02-02T00:00:00Z', reason: 'Pneumonia' },
        recordedAt: '2026-02-07T00:00:00Z',
      },
      {
        type: 'AlertUpdated',
        data: {
          alertId: 'a-1',
          patientId: 'TR-SAT-001',
          ruleId: 'TR-LYM',
          previous: { value: 0.55, unit: '10*9/L', normalisedValue: 0.55, normalisedUnit: '10*9/L', grade: 2, severity: 'warning' },
          current: { value: 0.15, unit: '10*9/L', normalisedValue: 0.15, normalisedUnit: '10*9/L', grade: 4, severity: 'critical' },
          correctionEventId: 'c-1',
          reason: 'Transcription error',
          updatedAt: '2026-02-06T10:00:00Z',
        },
        recordedAt: '2026-02-07T00:00:00Z',
      },
      {
        type: 'AlertClosed',
        data: { alertId: 'a-2', closedAt: '2026-02-06T10:00:00Z', reportedAt: '2026-02-06T09:00:00Z', late: true, byEventId: 'r-1' },
        recordedAt: '2026-02-07T00:00:00Z',
      },
    ]);
    expect(events.map((e) => auditEntryOf(e).summary)).toEqual([
      `Serious adverse event ${ae} reported to the sponsor 2026-02-02T10:00:00Z, reference SP-7`,
      `Adverse event ${ae} assessed by the sponsor: unexpected, causality probable`,
      `SUSAR ${ae} reported to the regulator 2026-02-05T10:00:00Z`,
      'Treatment suspended from 2026-02-02T00:00:00Z. Reason: Pneumonia',
      'Alert TR-LYM updated after c-1: 0.55 10*9/L, grade 2 (warning) → 0.15 10*9/L, grade 4 (critical): Transcription error',
      'Alert closed: reported 2026-02-06T09:00:00Z, after its deadline (late)',
    ]);
  });

  it('still lists an event type it has no words for, by name', () => {
    const [odd] = storedStream('patient-TR-SAT-001', [{ type: 'ConsentWithdrawn', data: { patientId: 'TR-SAT-001' }, recordedAt: '2026-02-01T00:00:00Z' }]);
    expect(auditEntryOf(odd).summary).toBe('Consent Withdrawn (schema version 1)');
  });

  it('writes every time stamp in UTC even when recorded with an offset', () => {
    const [event] = storedStream('patient-TR-SAT-001', [{ ...platelets(250, '2026-01-13T08:30:00+01:00'), recordedAt: '2026-01-13T11:00:00+01:00' }]);
    expect(auditEntryOf(event)).toMatchObject({ occurredAt: '2026-01-13T07:30:00.000Z', recordedAt: '2026-01-13T10:00:00.000Z' });
    expect(auditEntryOf(event).summary).toContain('collected 2026-01-13T07:30:00Z');
  });
});
