import { patientStream, TRANSREG } from '@vigil/domain';
import { createSqliteEventStore, type EventStore } from '@vigil/event-store';
import type { VigilConfig } from '../config';
import { TrialReports } from './trial-reports';

const MINUTE = 60_000;

/** A patient enrolled by a node whose clock runs `aheadMs` ahead of this one: its recording time is later than our now. */
async function enrolRecordedAhead(store: EventStore, patientId: string, aheadMs: number): Promise<void> {
  const recordedAt = new Date(Date.now() + aheadMs).toISOString();
  await store.append(
    patientStream(patientId),
    [
      {
        type: 'PatientEnrolled',
        schemaVersion: 1,
        data: { patientId, trialId: 'TRANSREG', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 60, enrolledAt: recordedAt },
        metadata: { userId: 'spec', role: 'investigator', occurredAt: recordedAt, recordedAt, correlationId: patientId },
      },
    ],
    { expectedVersion: 0 },
  );
}

describe('TrialReports', () => {
  let store: EventStore;
  let reports: TrialReports;

  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    reports = new TrialReports(store, { protocol: TRANSREG } as VigilConfig);
  });
  afterEach(() => store.close());

  it('reports now from the live fold, with an event recorded a moment after the request (asOf: that recording)', async () => {
    await enrolRecordedAhead(store, 'TR-SAT-101', MINUTE);
    const asOf = new Date().toISOString();
    const now = await reports.safetyReport({ asOf, asOfGiven: false });
    expect(now.exposure.enrolled).toBe(1);
    expect(now.position).toBe(await store.headPosition());
    expect(Date.parse(now.asOf)).toBeGreaterThan(Date.parse(asOf));
  });

  it('leaves out, for an asOf given, what was recorded after it', async () => {
    await enrolRecordedAhead(store, 'TR-SAT-101', MINUTE);
    const asOf = new Date().toISOString();
    const then = await reports.safetyReport({ asOf, asOfGiven: true });
    expect(then.exposure.enrolled).toBe(0);
    expect(then.asOf).toBe(asOf);
  });
});
