import { patientStream } from '@vigil/domain';
import { createSqliteEventStore, type EventStore, type StoredEvent } from '@vigil/event-store';
import { foldLog } from './read-log';
import { TrialFold } from './trial-fold';

const at = (day: number) => new Date(Date.parse('2026-01-05T08:00:00.000Z') + day * 86_400_000).toISOString();
const plat = (patientId: string, value: number, day: number) => {
  const referenceRange = { low: 150, high: 400 };
  return {
    patientId,
    test: 'PLAT' as const,
    value,
    unit: '10*9/L',
    referenceRange,
    collectedAt: at(day),
    normalised: { value, unit: '10*9/L', referenceRange },
  };
};

describe('foldLog', () => {
  let store: EventStore;
  beforeEach(async () => (store = await createSqliteEventStore({ file: ':memory:' })));
  afterEach(() => store.close());

  let appended = 0;
  /**
   * Appends one of the trial's events, then events of other kinds (what replays and exports record), in runs
   * that fill whole batches of the read now and then.
   */
  async function record(patientId: string, type: string, schemaVersion: number, data: object, day: number): Promise<string> {
    const metadata = { userId: 'spec', role: 'admin', occurredAt: at(day), recordedAt: at(day), correlationId: `c-${appended}` };
    const { events } = await store.append(patientStream(patientId), [{ type, schemaVersion, data, metadata }], { expectedVersion: 'any' });
    const others = appended++ % 7 === 3 ? 6_000 : 3;
    const viewed = Array.from({ length: others }, () => ({ type: 'PatientRecordViewed', schemaVersion: 1, data: { patientId }, metadata }));
    await store.append(`audit-${appended}`, viewed, { expectedVersion: 'any' });
    return events[0].eventId;
  }

  it('folds from the store what the fold takes in, however many other events lie between, as folding every event in order does', async () => {
    for (const [patientId, siteId] of [
      ['A', 'SAT'],
      ['B', 'PSL'],
    ] as const) {
      await record(
        patientId,
        'PatientEnrolled',
        1,
        { patientId, trialId: 'TRANSREG', siteId, disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 60, enrolledAt: at(0) },
        0,
      );
    }
    for (let day = 1; day <= 40; day++) await record(day % 2 ? 'A' : 'B', 'LabResultRecorded', 2, plat(day % 2 ? 'A' : 'B', 100 + day, day), day);
    const wrong = await record('A', 'LabResultRecorded', 2, plat('A', 72, 41), 41);
    const correction = {
      patientId: 'A',
      originalEventId: wrong,
      oldValues: plat('A', 72, 41),
      newValues: plat('A', 90, 41),
      changedFields: ['value', 'normalised'],
      reason: 'typo',
    };
    await record('A', 'LabResultCorrected', 1, correction, 42);
    const voided = await record('B', 'LabResultRecorded', 2, plat('B', 45, 42), 42);
    await record('B', 'LabResultEnteredInError', 1, { patientId: 'B', originalEventId: voided, oldValues: plat('B', 45, 42), reason: 'wrong patient' }, 43);

    const head = await store.headPosition();
    const stored: StoredEvent[] = [];
    for await (const batch of store.readAll()) stored.push(...batch);
    const everyEvent = new TrialFold({ labs: 'compact' });
    for (const event of stored) everyEvent.apply(event);

    const folded = await foldLog(store, new TrialFold({ labs: 'compact' }), head);

    expect(folded.readTo).toBe(head);
    expect(folded.position).toBe(stored.filter((e) => e.streamId.startsWith('patient-')).at(-1)?.globalPosition);
    expect(folded.position).toBe(everyEvent.position);
    expect([...folded.patients.keys()]).toEqual(['A', 'B']);
    for (const patientId of ['A', 'B']) {
      const [mine, theirs] = [folded, everyEvent].map((fold) => fold.patients.get(patientId));
      expect(mine?.changes).toBe(theirs?.changes);
      expect([...(mine?.labs.values() ?? [])]).toEqual([...(theirs?.labs.values() ?? [])]);
      expect(mine?.fold.state).toEqual(theirs?.fold.state);
    }
    expect(folded.patients.get('A')?.labs.get(wrong)).toMatchObject({ value: 90, voided: false });
    expect(folded.patients.get('B')?.labs.get(voided)).toMatchObject({ value: 45, voided: true });
    expect(folded.patients.get('B')?.labs.size).toBe(21);
    // About 25 000 events written and read twice: seconds on a busy 2-core machine, beyond jest's default 5 s.
  }, 30_000);
});
