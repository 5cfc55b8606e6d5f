import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { accessLogOf, accessStream, recordPatientAccess } from './access-log';

describe('the access log of a patient record', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
  });
  afterEach(() => store.close());

  it("records who viewed which view of the record, with what query, in the patient's access stream only", async () => {
    const actor = { userId: 'u-mon', name: 'Monique', role: 'monitor' as const, sites: [] };
    await recordPatientAccess(store, { actor, patientId: 'TR-SAT-001', siteId: 'SAT', view: 'state', query: { asOf: '2026-01-07T12:00:00Z' } });
    expect(await store.streamVersion('patient-TR-SAT-001')).toBe(0);
    const stream = await store.readStream(accessStream('TR-SAT-001'));
    expect(stream.map((e) => [e.type, e.metadata.userId, e.metadata.role, e.metadata.siteId])).toEqual([['PatientRecordViewed', 'u-mon', 'monitor', 'SAT']]);
    const log = accessLogOf('TR-SAT-001', stream);
    expect(log).toEqual({
      patientId: 'TR-SAT-001',
      entries: [
        {
          eventId: stream[0].eventId,
          viewedAt: stream[0].metadata.recordedAt,
          viewer: { userId: 'u-mon', name: 'Monique', role: 'monitor' },
          view: 'state',
          query: { asOf: '2026-01-07T12:00:00Z' },
        },
      ],
    });
  });
});
