import type { PatientSnapshot } from './replay-patient-at';
import { snapshotJson } from './snapshot-json';

const entry = (eventId: string, values: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  eventId, original: values, current: values, voided: false, corrections: [] as string[], recordedSeq: 2, ...extra,
});

const snapshot = (over: Partial<PatientSnapshot>): PatientSnapshot => ({
  patientId: 'TR-SAT-001', pointInTime: { asOf: '2026-01-20T00:00:00.000Z' }, version: 3, eventsFolded: 3, streamVersion: 3,
  enrolled: true, siteId: 'SAT', disease: 'RA', demographics: { sex: 'F', birthYear: 1970, weightKg: 60 }, enrolledAt: '2026-01-05T09:00:00.000Z',
  labs: [], doses: [], adverseEvents: [], alerts: [], ...over,
}) as PatientSnapshot;

describe('snapshotJson', () => {
  it('writes doses, adverse events, voids, corrections and non-ASCII text as JSON.stringify does', () => {
    const ae = { patientId: 'TR-SAT-001', term: 'Réaction au site d’injection ✓ "quoted" \\ \u2028', onsetAt: '2026-01-06T09:00:00.000Z', grade: 1 };
    const dose = { patientId: 'TR-SAT-001', dose: 1, unit: 'MIU', administeredAt: '2026-01-06T09:00:00.000Z' };
    const corrected = { ...dose, dose: 1.5 };
    const value = snapshot({
      doses: [entry('d-1', dose), entry('d-2', dose, { current: corrected, corrections: ['c-1'], recordedSeq: 4 })] as unknown as PatientSnapshot['doses'],
      adverseEvents: [entry('ae-1', ae), entry('ae-2', ae, { voided: true, voidReason: 'wrong patient — entered twice' })] as unknown as PatientSnapshot['adverseEvents'],
      alerts: [{ alertId: 'A-1', status: 'open', escalations: [] }] as unknown as PatientSnapshot['alerts'],
    });
    for (let i = 0; i < 2; i++) expect(snapshotJson(value).toString('utf8')).toBe(JSON.stringify(value));
  });

  it('writes a record with a field it does not know, and leaves out fields JSON.stringify leaves out', () => {
    const values = { test: 'PLAT', value: 70 };
    const value = snapshot({
      labs: [{ ...entry('l-1', values), grade: null, ruleHits: [], note: 'added later' }, { ...entry('l-2', values), grade: undefined, ruleHits: [] }] as unknown as PatientSnapshot['labs'],
      siteId: undefined as unknown as string,
    });
    expect(snapshotJson(value).toString('utf8')).toBe(JSON.stringify(value));
  });

  it('writes a record shown again with other values afresh, not as it was written before', () => {
    const values = { test: 'PLAT', value: 70 };
    const first = snapshot({ labs: [{ ...entry('l-1', values), grade: null, ruleHits: [] }] as unknown as PatientSnapshot['labs'] });
    const again = snapshot({ labs: [{ ...entry('l-1', values, { recordedSeq: 7 }), grade: null, ruleHits: [] }] as unknown as PatientSnapshot['labs'] });
    const voided = snapshot({ labs: [{ ...entry('l-1', values, { voided: true, voidReason: 'typo' }), grade: null, ruleHits: [] }] as unknown as PatientSnapshot['labs'] });
    for (const value of [first, again, voided, first]) expect(snapshotJson(value).toString('utf8')).toBe(JSON.stringify(value));
  });
});
