import { ValidationError } from '@vigil/domain';
import { enrolled, platelets, storedStream } from '../testing/stored-events';
import { replayPatientAt } from './replay-patient-at';

const LATE = '7a7e0000-0000-4000-8000-000000000070';
const LAB_180 = '7a7e0000-0000-4000-8000-000000000180';
const CORRECTION = '7a7e0000-0000-4000-8000-0000000c0185';

// Labs over several days, then one collected on 7 January but recorded only on the 12th.
const stream = storedStream('patient-TR-SAT-001', [
  { ...enrolled(), recordedAt: '2026-01-05T09:00:00.000Z' },
  { ...platelets(250, '2026-01-06T07:30:00.000Z'), recordedAt: '2026-01-06T10:00:00.000Z' },
  { ...platelets(180, '2026-01-08T07:30:00.000Z'), eventId: LAB_180, recordedAt: '2026-01-08T10:00:00.000Z' },
  {
    type: 'LabResultCorrected',
    eventId: CORRECTION,
    data: {
      patientId: 'TR-SAT-001',
      originalEventId: LAB_180,
      oldValues: platelets(180, '2026-01-08T07:30:00.000Z').data,
      newValues: platelets(185, '2026-01-08T07:30:00.000Z').data,
      changedFields: ['value', 'normalised'],
      reason: 'typo',
    },
    occurredAt: '2026-01-09T09:00:00.000Z',
    recordedAt: '2026-01-09T09:00:00.000Z',
  },
  { ...platelets(120, '2026-01-10T07:30:00.000Z'), recordedAt: '2026-01-10T10:00:00.000Z' },
  { ...platelets(70, '2026-01-07T07:30:00.000Z'), eventId: LATE, recordedAt: '2026-01-12T09:00:00.000Z' },
]);

const alertRaised = {
  alertId: 'A-70',
  ruleId: 'TR-PLT',
  patientId: 'TR-SAT-001',
  siteId: 'SAT',
  triggeredBy: LATE,
  value: 70,
  unit: '10*9/L',
  normalisedValue: 70,
  normalisedUnit: '10*9/L',
  threshold: 80,
  thresholdUnit: '10*9/L',
  grade: 2,
  severity: 'warning',
  message: 'Platelets 70 ×10⁹/L below 80 (TR-PLT)',
  raisedAt: '2026-01-12T09:00:01.000Z',
};
const alertEvents = storedStream('alert-A-70', [
  { type: 'AlertRaised', data: alertRaised, occurredAt: '2026-01-12T09:00:01.000Z', recordedAt: '2026-01-12T09:00:01.000Z' },
  {
    type: 'AlertAcknowledged',
    data: { alertId: 'A-70', by: { userId: 'u-so', name: 'Sam', role: 'safety_officer' }, acknowledgedAt: '2026-01-12T15:00:00.000Z' },
    occurredAt: '2026-01-12T15:00:00.000Z',
    recordedAt: '2026-01-12T15:00:00.000Z',
  },
]);

const replay = (pit: Parameters<typeof replayPatientAt>[3]) => replayPatientAt('TR-SAT-001', stream, alertEvents, pit);
const values = (snapshot: ReturnType<typeof replay>) => snapshot.labs.map((lab) => lab.current.value);

describe('replaying a patient at a point in time', () => {
  it('shows everything, in clinical order, with grades and alerts, when no point in time is given', () => {
    const now = replay({});
    expect(values(now)).toEqual([250, 70, 185, 120]);
    expect(now.version).toBe(6);
    expect(now.alerts.map((a) => [a.alertId, a.status])).toEqual([['A-70', 'acknowledged']]);
  });

  it('includes a late-recorded lab in the state as of its clinical time', () => {
    const asOf = replay({ asOf: '2026-01-07T12:00:00.000Z' });
    expect(values(asOf)).toEqual([250, 70]);
    expect(asOf.labs[1]).toMatchObject({ eventId: LATE, grade: { grade: 2 }, ruleHits: [expect.objectContaining({ ruleId: 'TR-PLT' })] });
    expect(asOf.alerts.map((a) => [a.alertId, a.status])).toEqual([['A-70', 'open']]);
  });

  it('leaves the late lab, and its alert, out of what Vigil knew before it was recorded', () => {
    const known = replay({ asKnownAt: '2026-01-11T00:00:00.000Z' });
    expect(values(known)).toEqual([250, 185, 120]);
    expect(known.alerts).toEqual([]);
    const later = replay({ asKnownAt: '2026-01-12T12:00:00.000Z' });
    expect(values(later)).toEqual([250, 70, 185, 120]);
    expect(later.alerts.map((a) => a.status)).toEqual(['open']);
  });

  it('combines both: what was known on the 11th about the 7th', () => {
    expect(values(replay({ asOf: '2026-01-07T12:00:00.000Z', asKnownAt: '2026-01-11T00:00:00.000Z' }))).toEqual([250]);
  });

  it('shows a value before and after its correction, keeping the original beside the current', () => {
    expect(values(replay({ asOf: '2026-01-08T12:00:00.000Z' }))).toEqual([250, 70, 180]);
    const corrected = replay({ asOf: '2026-01-09T12:00:00.000Z' });
    expect(values(corrected)).toEqual([250, 70, 185]);
    expect(corrected.labs[2]).toMatchObject({ original: { value: 180 }, current: { value: 185 }, corrections: [CORRECTION] });
  });

  it('steps through the stream version by version', () => {
    expect(values(replay({ atVersion: 1 }))).toEqual([]);
    expect(replay({ atVersion: 1 }).enrolled).toBe(true);
    expect(values(replay({ atVersion: 3 }))).toEqual([250, 180]);
    expect(values(replay({ atVersion: 4 }))).toEqual([250, 185]);
    expect(replay({ atVersion: 5 }).alerts).toEqual([]);
    expect(replay({ atVersion: 6 }).alerts.map((a) => a.alertId)).toEqual(['A-70']);
  });

  it('refuses a version beyond the stream, naming atVersion', () => {
    expect(() => replay({ atVersion: 7 })).toThrow(ValidationError);
    expect(() => replay({ atVersion: 7 })).toThrow(/atVersion.*6 events/);
  });

  it('shows a patient not yet enrolled before the enrolment time', () => {
    const before = replay({ asOf: '2026-01-01T00:00:00.000Z' });
    expect(before).toMatchObject({ enrolled: false, labs: [], version: 0, eventsFolded: 0, streamVersion: 6 });
  });

  it('leaves out a correction whose record lies beyond the point in time', () => {
    // Known on the 9th, clinically as of the 7th: the 180 result (collected on the 8th) and its correction are both out.
    expect(values(replay({ asOf: '2026-01-07T12:00:00.000Z', asKnownAt: '2026-01-09T12:00:00.000Z' }))).toEqual([250]);
  });
});
