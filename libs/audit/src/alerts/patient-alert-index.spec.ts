import { createSqliteEventStore, EventStore, NewEvent } from '@vigil/event-store';
import { PatientAlertIndex } from './patient-alert-index';

const metadata = { userId: 'projector', role: 'system', occurredAt: '2026-01-13T07:30:00Z', correlationId: 'c-1' };
const raised = (alertId: string, patientId: string): NewEvent => ({
  type: 'AlertRaised',
  schemaVersion: 1,
  data: { alertId, patientId, siteId: 'SAT' },
  metadata,
});
const acknowledged = (alertId: string): NewEvent => ({ type: 'AlertAcknowledged', schemaVersion: 1, data: { alertId }, metadata });

describe('PatientAlertIndex', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
  });
  afterEach(() => store.close());

  it("finds every event of the patient's alerts, and only theirs", async () => {
    await store.append('alert-A1', [raised('A1', 'TR-SAT-001'), acknowledged('A1')], { expectedVersion: 0 });
    await store.append('alert-B1', [raised('B1', 'TR-PSL-002')], { expectedVersion: 0 });
    const index = new PatientAlertIndex(store);
    const events = await index.alertEventsOf('TR-SAT-001');
    expect(events.map((e) => [e.streamId, e.type])).toEqual([
      ['alert-A1', 'AlertRaised'],
      ['alert-A1', 'AlertAcknowledged'],
    ]);
  });

  it('sees alerts raised after its first look, and later events of alerts it already knows', async () => {
    const index = new PatientAlertIndex(store);
    expect(await index.alertEventsOf('TR-SAT-001')).toEqual([]);
    await store.append('alert-A1', [raised('A1', 'TR-SAT-001')], { expectedVersion: 0 });
    expect((await index.alertEventsOf('TR-SAT-001')).map((e) => e.type)).toEqual(['AlertRaised']);
    await store.append('alert-A1', [acknowledged('A1')], { expectedVersion: 1 });
    await store.append('alert-A2', [raised('A2', 'TR-SAT-001')], { expectedVersion: 0 });
    const events = await Promise.all([index.alertEventsOf('TR-SAT-001'), index.alertEventsOf('TR-SAT-001')]);
    for (const seen of events)
      expect(seen.map((e) => `${e.streamId}:${e.type}`).sort()).toEqual(['alert-A1:AlertAcknowledged', 'alert-A1:AlertRaised', 'alert-A2:AlertRaised']);
  });

  it('answers from the log it follows: the alert streams are not read again on each call', async () => {
    await store.append('alert-A1', [raised('A1', 'TR-SAT-001')], { expectedVersion: 0 });
    const index = new PatientAlertIndex(store);
    await index.alertEventsOf('TR-SAT-001');
    await store.append('alert-A1', [acknowledged('A1')], { expectedVersion: 1 });
    const readStream = jest.spyOn(store, 'readStream');
    expect((await index.alertEventsOf('TR-SAT-001')).map((e) => e.type)).toEqual(['AlertRaised', 'AlertAcknowledged']);
    expect(readStream).not.toHaveBeenCalled();
  });

  it('keeps what an alert stream held before its raising, and hands out events no caller can change', async () => {
    await store.append('alert-A1', [acknowledged('A1'), raised('A1', 'TR-SAT-001')], { expectedVersion: 0 });
    const index = new PatientAlertIndex(store);
    const events = await index.alertEventsOf('TR-SAT-001');
    expect(events.map((e) => [e.streamVersion, e.type])).toEqual([
      [1, 'AlertAcknowledged'],
      [2, 'AlertRaised'],
    ]);
    expect(() => ((events[1].data as { patientId: string }).patientId = 'TR-PSL-002')).toThrow(TypeError);
    expect((await index.alertEventsOf('TR-SAT-001')).map((e) => (e.data as { patientId?: string }).patientId)).toEqual([undefined, 'TR-SAT-001']);
  });

  it('reads the alert events of the log, not the lab results around them', async () => {
    const lab = (n: number): NewEvent => ({ type: 'LabResultRecorded', schemaVersion: 2, data: { n }, metadata });
    await store.append(
      'patient-TR-SAT-001',
      Array.from({ length: 300 }, (_, n) => lab(n)),
      { expectedVersion: 0 },
    );
    await store.append('alert-A1', [raised('A1', 'TR-SAT-001')], { expectedVersion: 0 });
    await store.append(
      'patient-TR-SAT-001',
      Array.from({ length: 300 }, (_, n) => lab(300 + n)),
      { expectedVersion: 300 },
    );
    const readAll = store.readAll.bind(store);
    const handedOver: string[] = [];
    jest.spyOn(store, 'readAll').mockImplementation(async function* (options) {
      for await (const batch of readAll(options)) {
        handedOver.push(...batch.map((e) => e.type));
        yield batch;
      }
    });
    const index = new PatientAlertIndex(store);
    expect((await index.alertEventsOf('TR-SAT-001')).map((e) => e.type)).toEqual(['AlertRaised']);
    // The alert, and at most one event of another type a batch (which tells the reader how far it got).
    expect(handedOver.filter((type) => type === 'AlertRaised')).toHaveLength(1);
    expect(handedOver.length).toBeLessThan(10);
  });
});
