import { patientStream } from '@vigil/domain';
import { createSqliteEventStore, EventStore, NewEvent } from '@vigil/event-store';
import { enrolled, platelets } from '../testing/stored-events';
import type { PointInTime } from './point-in-time';
import { replayPatientAt } from './replay-patient-at';
import { replayStreamCache } from './replay-streams';

const PATIENT = 'TR-SAT-001';
const STREAM = patientStream(PATIENT);
const day = (n: number) => new Date(Date.parse('2026-01-05T09:00:00.000Z') + n * 86_400_000).toISOString();

const event = ({ type, data }: { type: string; data: unknown }, schemaVersion = type === 'LabResultRecorded' ? 2 : 1): NewEvent => {
  const clinical = (data as { collectedAt?: string; enrolledAt?: string }).collectedAt ?? (data as { enrolledAt: string }).enrolledAt;
  return { type, schemaVersion, data, metadata: { userId: 'u-inv', role: 'investigator', siteId: 'SAT', occurredAt: clinical, correlationId: 'c-1' } };
};
/** LabResultRecorded v1: before normalisation existed; upcast on read. */
const plateletsV1 = (value: number, collectedAt: string): NewEvent => {
  const { normalised: _normalised, ...v1 } = platelets(value, collectedAt).data;
  return event({ type: 'LabResultRecorded', data: v1 }, 1);
};

describe('replays read through the stream cache', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    await store.append(STREAM, [event(enrolled(PATIENT, day(0))), plateletsV1(250, day(1)), event(platelets(70, day(2)))], { expectedVersion: 0 });
  });
  afterEach(() => store.close());

  const points: PointInTime[] = [{}, { atVersion: 1 }, { atVersion: 2 }, { asOf: day(1.5) }, { asOf: day(3.5) }, { atVersion: 4, asOf: day(2.5) }];

  it('answers every point in time as a replay of the stream read from the store, events appended since included', async () => {
    const cache = replayStreamCache(store);
    const check = async (pit: PointInTime) =>
      expect(replayPatientAt(PATIENT, await cache.read(STREAM), [], pit)).toStrictEqual(replayPatientAt(PATIENT, await store.readStream(STREAM), [], pit));
    for (const pit of points.slice(0, 4)) await check(pit);

    await store.append(STREAM, [event(platelets(60, day(3))), plateletsV1(300, day(4))], { expectedVersion: 3 });
    for (const pit of points) await check(pit);
    const latest = replayPatientAt(PATIENT, await cache.read(STREAM), [], {});
    expect(latest.labs.map((lab) => lab.current.value)).toEqual([250, 70, 60, 300]);
    // Bounds still bound: nothing after the version or the clinical time asked for.
    expect(replayPatientAt(PATIENT, await cache.read(STREAM), [], { atVersion: 3 }).labs.map((lab) => lab.current.value)).toEqual([250, 70]);
    expect(replayPatientAt(PATIENT, await cache.read(STREAM), [], { asOf: day(2.5) }).labs.map((lab) => lab.current.value)).toEqual([250, 70]);
  });

  it('holds results recorded in an old schema in the current one (upcast once, as the fold would)', async () => {
    const [, first] = await replayStreamCache(store).read(STREAM);
    expect(first.schemaVersion).toBe(2);
    expect((first.data as { normalised?: unknown }).normalised).toEqual({ value: 250, unit: '10*9/L', referenceRange: { low: 150, high: 400 } });
  });
});
