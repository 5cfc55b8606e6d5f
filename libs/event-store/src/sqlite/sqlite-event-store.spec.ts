import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { createSqliteEventStore } from './sqlite-event-store';

describeEventStoreContract(
  'sqlite (temporary file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    const file = join(dir, 'nested', 'events.sqlite');
    return {
      store: await createSqliteEventStore({ file, pollIntervalMs: 50 }),
      reopen: () => createSqliteEventStore({ file, pollIntervalMs: 50 }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { chainRecords: true, checkpoints: true, snapshots: true },
);

describeEventStoreContract(
  "sqlite (':memory:')",
  async () => ({
    store: await createSqliteEventStore({ file: ':memory:' }),
    cleanup: async () => undefined,
  }),
  { persistent: false, chainRecords: true, checkpoints: true, snapshots: true },
);

describe('SqliteEventStore reading a stream from past the head it committed', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-heads-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const event = (n: number) => ({
    type: 'Noted',
    schemaVersion: 1,
    data: { n },
    metadata: { userId: 'u', role: 'admin', occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c' },
  });

  it('finds what another connection appended since (a tail read after its own commit is never answered from what it knew)', async () => {
    const file = join(dir, 'events.sqlite');
    const [mine, theirs] = [await createSqliteEventStore({ file }), await createSqliteEventStore({ file })];
    try {
      await mine.append('s-1', [event(1)], { expectedVersion: 'no_stream' });
      expect(await mine.readStream('s-1', { fromVersion: 2 })).toEqual([]);

      await theirs.append('s-1', [event(2), event(3)], { expectedVersion: 1 });
      expect((await mine.readStream('s-1', { fromVersion: 2 })).map((e) => e.data)).toEqual([{ n: 2 }, { n: 3 }]);

      await mine.append('s-1', [event(4)], { expectedVersion: 3 });
      await mine.append('s-2', [event(5)], { expectedVersion: 'no_stream' });
      await theirs.append('s-1', [event(6)], { expectedVersion: 4 });
      expect((await mine.readStream('s-1', { fromVersion: 5 })).map((e) => e.data)).toEqual([{ n: 6 }]);
      expect(await mine.readStream('s-2', { fromVersion: 2 })).toEqual([]);
      expect(await mine.readStream('s-1', { fromVersion: 6 })).toEqual([]);
      expect((await mine.readStream('s-1', { fromVersion: 1 })).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await Promise.all([mine.close(), theirs.close()]);
    }
  });

  it('answers a repeated command without taking its version for the head', async () => {
    const store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
    try {
      await store.append('s-1', [event(1)], { expectedVersion: 'no_stream', commandId: 'c-1' });
      await store.append('s-1', [event(2)], { expectedVersion: 1, commandId: 'c-2' });
      expect(await store.append('s-1', [event(1)], { expectedVersion: 'no_stream', commandId: 'c-1' })).toMatchObject({ duplicate: true, version: 1 });
      expect((await store.readStream('s-1', { fromVersion: 2 })).map((e) => e.data)).toEqual([{ n: 2 }]);
    } finally {
      await store.close();
    }
  });
});
