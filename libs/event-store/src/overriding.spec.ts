import { createSqliteEventStore } from './sqlite/sqlite-event-store';
import { overriding } from './overriding';

describe('overriding', () => {
  it('replaces the methods given, and passes every other property through, methods bound and getters read from the target', async () => {
    const store = await createSqliteEventStore({ file: ':memory:' });
    try {
      const asked: string[] = [];
      const wrapped = overriding(store, {
        append: async (streamId, events, options) => {
          asked.push(streamId);
          return store.append(streamId, events, options);
        },
      });
      const metadata = { userId: 'u1', role: 'admin', occurredAt: '2026-01-05T09:00:00Z', correlationId: 'c1' };
      await wrapped.append('note-1', [{ type: 'NoteTaken', schemaVersion: 1, data: {}, metadata }], { expectedVersion: 'no_stream' });
      const { headPosition } = wrapped; // detached: bound to the store
      expect(asked).toEqual(['note-1']);
      expect(await headPosition()).toBe(1);
      expect(wrapped.checkpoints).toBe(store.checkpoints);
      expect(overriding(store, { checkpoints: undefined }).checkpoints).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
