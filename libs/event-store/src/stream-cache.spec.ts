import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent, ReadStreamOptions, StoredEvent } from './event-store';
import { createSqliteEventStore } from './sqlite/sqlite-event-store';
import { StreamCache } from './stream-cache';

const lab = (n: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 2,
  data: { n },
  metadata: { userId: 'u-inv', role: 'investigator', occurredAt: '2026-01-05T09:00:00.000Z', correlationId: `c-${n}` },
});
const labs = (from: number, count: number): NewEvent[] => Array.from({ length: count }, (_, i) => lab(from + i));
const numbers = (events: readonly StoredEvent[]) => events.map((event) => (event.data as { n: number }).n);

/** Counts what the cache asks the store for. */
function watched(store: EventStore): { store: EventStore; reads: ReadStreamOptions[] } {
  const reads: ReadStreamOptions[] = [];
  return {
    reads,
    store: new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'readStream') return Reflect.get(target, property, receiver);
        return (streamId: string, options: ReadStreamOptions = {}) => {
          reads.push(options);
          return target.readStream(streamId, options);
        };
      },
    }),
  };
}

describe('StreamCache', () => {
  let dir: string;
  let file: string;
  const opened: EventStore[] = [];
  const open = async () => {
    const store = await createSqliteEventStore({ file });
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-stream-cache-'));
    file = join(dir, 'events.sqlite');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the events appended after it was filled, reading only from the version it holds', async () => {
    const store = await open();
    const { store: seen, reads } = watched(store);
    const cache = new StreamCache(seen, { maxEvents: 100 });
    await store.append('patient-1', labs(1, 5), { expectedVersion: 0 });
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5]);

    await store.append('patient-1', labs(6, 2), { expectedVersion: 5 });
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The first read is the whole stream; later ones start at the last event held (checked, not re-added).
    expect(reads).toEqual([{ fromVersion: 1 }, { fromVersion: 5 }, { fromVersion: 7 }]);
    expect(cache.size).toBe(7);
  });

  it('returns the events another process appended to the same file', async () => {
    const mine = await open();
    const theirs = await open();
    const cache = new StreamCache(mine, { maxEvents: 100 });
    await mine.append('patient-1', labs(1, 3), { expectedVersion: 0 });
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3]);

    await theirs.append('patient-1', labs(4, 2), { expectedVersion: 3 });
    const events = await cache.read('patient-1');
    expect(numbers(events)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers an unknown stream with no events and holds nothing for it', async () => {
    const cache = new StreamCache(await open(), { maxEvents: 100 });
    expect(await cache.read('patient-none')).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it('stays within its bound, dropping the least recently read streams first', async () => {
    const store = await open();
    const cache = new StreamCache(store, { maxEvents: 10 });
    await store.append('patient-1', labs(1, 4), { expectedVersion: 0 });
    await store.append('patient-2', labs(1, 4), { expectedVersion: 0 });
    await store.append('patient-3', labs(1, 4), { expectedVersion: 0 });
    await cache.read('patient-1');
    await cache.read('patient-2');
    await cache.read('patient-1'); // patient-2 is now the least recently read
    await cache.read('patient-3');
    expect(cache.size).toBe(8);

    const { store: seen, reads } = watched(store);
    const watching = new StreamCache(seen, { maxEvents: 10 });
    await watching.read('patient-1');
    await watching.read('patient-2');
    await watching.read('patient-1');
    await watching.read('patient-3'); // drops patient-2
    reads.length = 0;
    await watching.read('patient-1');
    await watching.read('patient-2'); // read whole again
    expect(reads).toEqual([{ fromVersion: 4 }, { fromVersion: 1 }]);
    expect(watching.size).toBeLessThanOrEqual(10);
  });

  it('does not hold a stream longer than its bound, and still returns it whole', async () => {
    const store = await open();
    const cache = new StreamCache(store, { maxEvents: 5 });
    await store.append('patient-1', labs(1, 4), { expectedVersion: 0 });
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4]);
    expect(cache.size).toBe(4);
    await store.append('patient-1', labs(5, 3), { expectedVersion: 4 });
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(cache.size).toBe(0);
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(cache.size).toBe(0);
  });

  it('prepares each event once, as it enters', async () => {
    const store = await open();
    const prepare = jest.fn((event: StoredEvent) => ({ ...event, data: { n: (event.data as { n: number }).n * 10 } }));
    const cache = new StreamCache(store, { maxEvents: 100, prepare });
    await store.append('patient-1', labs(1, 2), { expectedVersion: 0 });
    await cache.read('patient-1');
    await store.append('patient-1', labs(3, 1), { expectedVersion: 2 });
    expect(numbers(await cache.read('patient-1'))).toEqual([10, 20, 30]);
    expect(numbers(await cache.read('patient-1'))).toEqual([10, 20, 30]);
    expect(prepare).toHaveBeenCalledTimes(3);
  });

  it('hands out a copy: a caller changing its array changes nothing for the next', async () => {
    const store = await open();
    const cache = new StreamCache(store, { maxEvents: 100 });
    await store.append('patient-1', labs(1, 3), { expectedVersion: 0 });
    const first = await cache.read('patient-1');
    first.pop();
    const held = await cache.read('patient-1');
    await store.append('patient-1', labs(4, 1), { expectedVersion: 3 });
    await cache.read('patient-1');
    expect(numbers(held)).toEqual([1, 2, 3]);
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4]);
  });

  it('hands out frozen events: a caller cannot change a value every later replay would show', async () => {
    const store = await open();
    const cache = new StreamCache(store, { maxEvents: 100 });
    await store.append('patient-1', labs(1, 2), { expectedVersion: 0 });
    const [event] = await cache.read('patient-1');
    expect(() => ((event.data as { n: number }).n = 99)).toThrow(TypeError);
    expect(() => ((event.metadata as { userId: string }).userId = 'someone-else')).toThrow(TypeError);
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2]);
  });

  it('reads a stream afresh when the event at the version it holds is not the one it holds (a store replaced)', async () => {
    let events: StoredEvent[] = [];
    const stored = (n: number, id: string): StoredEvent => ({
      eventId: id,
      streamId: 'patient-1',
      streamVersion: n,
      globalPosition: n,
      type: 'LabResultRecorded',
      schemaVersion: 2,
      data: { n },
      metadata: { userId: 'u', role: 'r', occurredAt: '', recordedAt: '', correlationId: '', commandId: '' },
      hash: '',
      previousHash: null,
    });
    const store = {
      readStream: async (_: string, options: ReadStreamOptions = {}) => events.filter((event) => event.streamVersion >= (options.fromVersion ?? 1)),
    } as unknown as EventStore;
    const cache = new StreamCache(store, { maxEvents: 100 });
    events = [stored(1, 'a1'), stored(2, 'a2'), stored(3, 'a3')];
    expect((await cache.read('patient-1')).map((event) => event.eventId)).toEqual(['a1', 'a2', 'a3']);
    events = [stored(1, 'b1'), stored(2, 'b2'), stored(3, 'b3'), stored(4, 'b4')];
    expect((await cache.read('patient-1')).map((event) => event.eventId)).toEqual(['b1', 'b2', 'b3', 'b4']);
    events = [stored(1, 'c1')];
    expect((await cache.read('patient-1')).map((event) => event.eventId)).toEqual(['c1']);
    expect(cache.size).toBe(1);
  });

  it('answers reads of one stream running at once with the whole stream each', async () => {
    const store = await open();
    const cache = new StreamCache(store, { maxEvents: 1000 });
    await store.append('patient-1', labs(1, 10), { expectedVersion: 0 });
    await cache.read('patient-1');
    const appends = [11, 12, 13].map((n, i) => store.append('patient-1', [lab(n)], { expectedVersion: 10 + i }));
    const reads = await Promise.all([cache.read('patient-1'), appends[0], cache.read('patient-1'), appends[1], appends[2], cache.read('patient-1')]);
    for (const read of [reads[0], reads[2], reads[5]] as StoredEvent[][]) {
      expect(read.map((event) => event.streamVersion)).toEqual(Array.from({ length: read.length }, (_, i) => i + 1));
    }
    expect(numbers(await cache.read('patient-1'))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(cache.size).toBe(13);
  });
});
