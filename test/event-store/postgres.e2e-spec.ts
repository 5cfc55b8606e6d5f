import { Client } from 'pg';
import { ChainVerifier, EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import { createPostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { describeEventStoreContract } from '../../libs/event-store/src/testing/event-store.contract';
import { schemaVersion } from '../../libs/event-store/src/postgres/schema';
import { describeWithService, findPostgres } from '../support/services';
import { dropSchema, schemaNames } from './support/schemas';

const event = (value: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { value },
  metadata: { userId: 'u-1', role: 'investigator', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: 'c-1' },
});

describeWithService('PostgreSQL event store', findPostgres, (postgres) => {
  const nextSchema = schemaNames('es');

  // Each test gets its own schema, dropped afterwards: runs never see each other's events.
  describeEventStoreContract(
    'postgres',
    async () => {
      const schema = nextSchema();
      const open = () => createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 50 });
      return { store: await open(), reopen: open, cleanup: () => dropSchema(postgres.url, schema) };
    },
    { checkpoints: true, snapshots: true },
  );

  describe('appends that share one statement', () => {
    let schema: string;
    let store: EventStore;
    beforeEach(async () => {
      schema = nextSchema();
      store = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 50 });
    });
    afterEach(async () => {
      await store.close();
      await dropSchema(postgres.url, schema);
    });

    // Appends submitted in the same tick are committed by one append_batch call, judged in the order they came.
    it('stores a command whose first try was rejected earlier in the same batch', async () => {
      await store.append('patient-1', [event(1)], { expectedVersion: 'no_stream' });

      const [rejected, stored, repeated] = await Promise.allSettled([
        store.append('patient-1', [event(2)], { expectedVersion: 0, commandId: 'cmd-retry' }),
        store.append('patient-1', [event(2)], { expectedVersion: 1, commandId: 'cmd-retry' }),
        store.append('patient-1', [event(2)], { expectedVersion: 1, commandId: 'cmd-retry' }),
      ]);

      expect(rejected).toMatchObject({ status: 'rejected', reason: { name: 'WrongExpectedVersionError', actual: 1 } });
      expect(stored).toMatchObject({ status: 'fulfilled', value: { duplicate: false, version: 2 } });
      expect(repeated).toMatchObject({ status: 'fulfilled', value: { duplicate: true, version: 2 } });
      expect((repeated as PromiseFulfilledResult<{ events: StoredEvent[] }>).value.events).toEqual(
        (stored as PromiseFulfilledResult<{ events: StoredEvent[] }>).value.events,
      );
      expect(await store.streamVersion('patient-1')).toBe(2);
    });

    it('fails alone an append reusing an event id fixed by another append of the same batch; the others commit', async () => {
      const eventId = '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b';

      const [first, clash, other] = await Promise.allSettled([
        store.append('patient-1', [{ ...event(1), eventId }], { expectedVersion: 'any' }),
        store.append('patient-2', [event(2), { ...event(3), eventId }], { expectedVersion: 'any' }),
        store.append('patient-3', [event(4)], { expectedVersion: 'any' }),
      ]);

      expect(first).toMatchObject({ status: 'fulfilled', value: { events: [{ eventId, globalPosition: 1 }] } });
      expect(clash).toMatchObject({ status: 'rejected', reason: { name: 'DuplicateEventIdError', eventId } });
      expect(other).toMatchObject({ status: 'fulfilled', value: { events: [{ globalPosition: 2 }] } });
      expect(await store.streamVersion('patient-2')).toBe(0);
    });

    it('answers a repeated command still in flight when the store closes with its first result', async () => {
      const first = await store.append('patient-1', [event(1)], { expectedVersion: 'any', commandId: 'cmd-1' });

      const repeated = store.append('patient-1', [event(1)], { expectedVersion: 'any', commandId: 'cmd-1' });
      await store.close();

      await expect(repeated).resolves.toEqual({ ...first, duplicate: true });
    });

    it('fails alone an append PostgreSQL cannot store (a NUL in its stream id); the others commit', async () => {
      const [bad, good] = await Promise.allSettled([
        store.append('patient-\u0000', [event(1)], { expectedVersion: 'any' }),
        store.append('patient-2', [event(2)], { expectedVersion: 'any' }),
      ]);

      expect(bad).toMatchObject({ status: 'rejected', reason: { name: 'InvalidAppendError' } });
      expect(good).toMatchObject({ status: 'fulfilled', value: { version: 1, events: [{ globalPosition: 1 }] } });
      expect(await store.headPosition()).toBe(1);
    });
  });

  // Several stores in one process; writers in processes of their own: postgres-processes.e2e-spec.ts.
  describe('several stores on one schema', () => {
    let schema: string;
    const stores: EventStore[] = [];
    const open = async (pollIntervalMs = 50) => {
      const store = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs, poolSize: 4 });
      stores.push(store);
      return store;
    };
    beforeEach(() => (schema = nextSchema()));
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
      await dropSchema(postgres.url, schema);
    });

    it('creates the schema once when several stores start at the same moment', async () => {
      await Promise.all([open(), open(), open()]);
      const client = new Client({ connectionString: postgres.url });
      await client.connect();
      const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations`);
      await client.end();
      expect(rows).toEqual(Array.from({ length: schemaVersion }, (_, i) => ({ version: i + 1 })));
    });

    it('never lets a subscriber see a global position before an earlier one commits', async () => {
      const writers = [await open(), await open(), await open()];
      const reader = await open(5);
      const seen: number[] = [];
      const subscription = reader.subscribe({ after: 0, batchSize: 7 }, (batch) => void seen.push(...batch.map((e) => e.globalPosition)));

      await Promise.all(
        Array.from({ length: 150 }, (_, i) => writers[i % 3].append(`patient-${i % 5}`, [event(i), event(i + 1000)], { expectedVersion: 'any' })),
      );
      const deadline = Date.now() + 10_000;
      while (seen.length < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await subscription.stop();

      // A subscriber that had seen n + 1 before n committed would have skipped n for good.
      expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const all: StoredEvent[] = [];
      for await (const batch of reader.readAll()) all.push(...batch);
      expect(new ChainVerifier().feed(all).finish()).toMatchObject({ ok: true, streams: 5, events: 300 });
    });

    it('wakes a subscriber of another store through NOTIFY, without waiting for its poll', async () => {
      const writer = await open();
      const reader = await open(60_000);
      const seen: StoredEvent[] = [];
      const subscription = reader.subscribe({ after: 0 }, (batch) => void seen.push(...batch));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the subscription is now waiting, for a minute at most

      const { events } = await writer.append('patient-1', [event(1)], { expectedVersion: 'any' });
      const deadline = Date.now() + 5_000;
      while (seen.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await subscription.stop();

      expect(seen).toEqual(events);
    });

    it('refuses to change or delete a stored event or a signed checkpoint through the database', async () => {
      const store = await open();
      await store.append('patient-1', [event(1)], { expectedVersion: 'any' });
      const client = new Client({ connectionString: postgres.url });
      await client.connect();
      try {
        await expect(client.query(`UPDATE ${schema}.events SET type = 'Forged'`)).rejects.toThrow(/append-only/);
        await expect(client.query(`DELETE FROM ${schema}.events`)).rejects.toThrow(/append-only/);
        await expect(client.query(`TRUNCATE ${schema}.events`)).rejects.toThrow(/append-only/);
        const checkpoint = { treeSize: 1, rootHash: 'ab'.repeat(32), signedAt: '2026-03-01T00:00:00.000Z', keyId: 'cd'.repeat(32), signature: 'c2ln' };
        await store.checkpoints?.record(checkpoint, { treeSize: 1, roots: ['ab'.repeat(32)] }, new Map());
        await expect(client.query(`UPDATE ${schema}.checkpoints SET root_hash = 'forged'`)).rejects.toThrow(/append-only/);
        await expect(client.query(`DELETE FROM ${schema}.checkpoints`)).rejects.toThrow(/append-only/);
        await expect(client.query(`TRUNCATE ${schema}.checkpoints`)).rejects.toThrow(/append-only/);
        expect(await store.checkpoints?.latest()).toEqual(checkpoint);
      } finally {
        await client.end();
      }
    });
  });
});
