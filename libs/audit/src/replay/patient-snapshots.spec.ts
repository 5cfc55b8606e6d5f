import { patientStream } from '@vigil/domain';
import { createSqliteEventStore, EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import { enrolled, platelets } from '../testing/stored-events';
import { foldPatientAt } from './fold-patient-at';
import { PATIENT_SNAPSHOT_KIND, PatientSnapshots } from './patient-snapshots';
import { fullViewOf, replayPatientAt } from './replay-patient-at';

const PATIENT = 'TR-SAT-001';
const STREAM = patientStream(PATIENT);
const day = (n: number) => new Date(Date.parse('2026-01-05T09:00:00.000Z') + n * 86_400_000).toISOString();
const event = ({ type, data }: { type: string; data: unknown }): NewEvent => {
  const clinical = (data as { collectedAt?: string; enrolledAt?: string }).collectedAt ?? (data as { enrolledAt: string }).enrolledAt;
  return {
    type,
    schemaVersion: type === 'LabResultRecorded' ? 2 : 1,
    data,
    metadata: { userId: 'u-inv', role: 'investigator', siteId: 'SAT', occurredAt: clinical, correlationId: 'c-1' },
  };
};
const results = (from: number, count: number) => Array.from({ length: count }, (_, i) => event(platelets(100 + ((from + i) % 200), day(1 + (from + i) / 10))));

/** A replay as the API's handler runs it: from the latest snapshot that holds, leaving a new one every N events. */
async function replay(snapshots: PatientSnapshots, stream: StoredEvent[]) {
  const from = await snapshots.latest(STREAM, stream);
  const at = foldPatientAt(PATIENT, stream, [], {}, { from, every: snapshots.every });
  if (at.taken) snapshots.take(STREAM, at.taken);
  if (at.head) snapshots.remember(STREAM, at.head);
  return { from, view: fullViewOf(at) };
}

describe('patient snapshots kept beside the SQLite log', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    await store.append(STREAM, [event(enrolled(PATIENT, day(0))), ...results(0, 24)], { expectedVersion: 0 });
  });
  afterEach(() => store.close());

  it('saves a snapshot every N events, and a restarted reader goes on from it, answering as a fold of the whole stream', async () => {
    const first = new PatientSnapshots({ log: store.snapshots, every: 10 });
    const stream = await store.readStream(STREAM);
    expect((await replay(first, stream)).from).toBeUndefined();
    await first.flush();
    const saved = await store.snapshots!.latest(STREAM, PATIENT_SNAPSHOT_KIND);
    expect(saved).toMatchObject({ streamVersion: 20, hash: stream[19].hash });

    await store.append(STREAM, results(24, 3), { expectedVersion: 25 });
    const grown = await store.readStream(STREAM);
    const restarted = new PatientSnapshots({ log: store.snapshots, every: 10 });
    const { from, view } = await replay(restarted, grown);
    expect(from?.version).toBe(20);
    expect(view).toStrictEqual(replayPatientAt(PATIENT, grown, [], {}));
    expect(view.labs).toHaveLength(27);
  });

  it('ignores a stored snapshot the log does not bear out (another hash at its version, or unreadable), and folds from the log', async () => {
    const stream = await store.readStream(STREAM);
    const good = foldPatientAt(PATIENT, stream, [], {}, { every: 10 }).taken!;
    const base = { streamId: STREAM, kind: PATIENT_SNAPSHOT_KIND, streamVersion: 20, takenAt: day(1) };
    // A state claiming a value the log never had, under a hash the stream does not have at version 20.
    const forged = JSON.stringify({ ...good, state: { ...good.state, labs: {} } });
    await store.snapshots!.save({ ...base, hash: stream[18].hash, state: forged });
    const reader = new PatientSnapshots({ log: store.snapshots, every: 10 });
    expect(await reader.latest(STREAM, stream)).toBeUndefined();
    const { view } = await replay(reader, stream);
    expect(view.labs).toHaveLength(24);

    await store.snapshots!.save({ ...base, hash: 'x'.repeat(64), state: 'not json' });
    await store.snapshots!.save({ ...base, hash: stream[19].hash, state: 'not json' });
    expect(await new PatientSnapshots({ log: store.snapshots, every: 10 }).latest(STREAM, stream)).toBeUndefined();

    // Under the hash the stream has: JSON, but not a fold (a row cut short or edited by hand) is ignored too, not failed on.
    for (const [i, broken] of [
      { state: {}, left: [] },
      { ...good, state: { ...good.state, labs: null } },
      { ...good, eventsFolded: 21 },
    ].entries()) {
      await store.snapshots!.clear(PATIENT_SNAPSHOT_KIND);
      await store.snapshots!.save({ ...base, hash: stream[19].hash, state: JSON.stringify(broken), takenAt: day(2 + i) });
      const fresh = new PatientSnapshots({ log: store.snapshots, every: 10 });
      expect(await fresh.latest(STREAM, stream)).toBeUndefined();
      expect((await replay(fresh, stream)).view).toStrictEqual(replayPatientAt(PATIENT, stream, [], {}));
    }
  });

  it('holds a bounded number of events in memory, dropping the least recently replayed patient first', async () => {
    const other = patientStream('TR-SAT-002');
    await store.append(other, [event(enrolled('TR-SAT-002', day(0))), ...results(0, 24)], { expectedVersion: 0 });
    const bounded = new PatientSnapshots({ every: 10, memoryEvents: 30 });
    const first = await store.readStream(STREAM);
    const second = await store.readStream(other);
    await replay(bounded, first);
    expect((await bounded.latest(STREAM, first))?.version).toBe(25);
    const at = foldPatientAt('TR-SAT-002', second, [], {}, { every: bounded.every });
    bounded.remember(other, at.head!);
    expect(await bounded.latest(STREAM, first)).toBeUndefined();
    expect((await bounded.latest(other, second))?.version).toBe(25);
  });

  it('keeps the fold of the whole stream in memory (no log needed): the next replay folds only what was appended since', async () => {
    const memoryOnly = new PatientSnapshots({ every: 10 });
    const stream = await store.readStream(STREAM);
    await replay(memoryOnly, stream);
    const again = await replay(memoryOnly, stream);
    expect(again.from?.version).toBe(25);
    expect(again.view).toStrictEqual(replayPatientAt(PATIENT, stream, [], {}));

    await store.append(STREAM, results(24, 2), { expectedVersion: 25 });
    const grown = await store.readStream(STREAM);
    const { from, view } = await replay(memoryOnly, grown);
    expect(from?.version).toBe(25);
    expect(view).toStrictEqual(replayPatientAt(PATIENT, grown, [], {}));
  });
});
