import fc from 'fast-check';
import { ChainVerifier } from '../chain-verifier';
import type { CheckpointLog, SignedCheckpoint } from '../checkpoints/checkpoint-log';
import type { SnapshotLog, StreamSnapshot } from '../snapshots/snapshot-log';
import { ChainRecord, EventStore, NewEvent, StoredEvent, Subscription } from '../event-store';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedVersionError } from '../errors';
import { canonicalEnvelope, hashEnvelope, hashEvent } from '../hash-chain';

export interface ContractStore {
  store: EventStore;
  /** Opens the same backing storage again (the suite closes `store` first). */
  reopen?: () => Promise<EventStore>;
  /** Removes what the store left behind (files, schemas); called after the store is closed. */
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every EventStore adapter must have (docs/architecture.md "Ports and adapters"). A behaviour one
 * adapter has and another lacks is a bug in the lacking one.
 */
export interface ContractOptions {
  /** False for a store that keeps nothing once closed (SQLite ':memory:'): the reopen test is skipped, by name. */
  persistent?: boolean;
  /** True for an adapter that offers `readChainRecords`; the others' chain-record tests are skipped, by name. */
  chainRecords?: boolean;
  /** True for an adapter that offers a `checkpoints` log; the others' checkpoint tests are skipped, by name. */
  checkpoints?: boolean;
  /** True for an adapter that offers a `snapshots` log; the others' snapshot tests are skipped, by name. */
  snapshots?: boolean;
}

export function describeEventStoreContract(name: string, makeStore: () => Promise<ContractStore>, options: ContractOptions = {}): void {
  const persistent = options.persistent ?? true;
  describe(`EventStore contract: ${name}`, () => {
    let made: ContractStore;
    let store: EventStore;
    const opened: EventStore[] = [];
    let cleanup: (() => Promise<void>) | undefined;

    beforeEach(async () => {
      cleanup = undefined;
      made = await makeStore();
      cleanup = made.cleanup;
      store = made.store;
      opened.push(store);
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await cleanup?.();
    });

    describe('appending and reading a stream', () => {
      it('numbers a new stream from version 1 and returns the stored events', async () => {
        const result = await store.append('patient-1', [labResult(1), labResult(2)], { expectedVersion: 'no_stream' });

        expect(result.duplicate).toBe(false);
        expect(result.streamId).toBe('patient-1');
        expect(result.version).toBe(2);
        expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2]);
        expect(result.events.map((e) => e.data)).toEqual([{ value: 1 }, { value: 2 }]);
        for (const event of result.events) {
          expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(new Date(event.metadata.recordedAt).toISOString()).toBe(event.metadata.recordedAt);
          expect(event.metadata.commandId).toEqual(expect.any(String));
        }
        expect(await store.readStream('patient-1')).toEqual(result.events);
        expect(await store.streamVersion('patient-1')).toBe(2);
      });

      it('continues a stream at the next version', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 0 });
        const second = await store.append('patient-1', [labResult(2), labResult(3)], { expectedVersion: 1 });

        expect(second.version).toBe(3);
        expect((await store.readStream('patient-1')).map((e) => [e.streamVersion, e.data])).toEqual([
          [1, { value: 1 }],
          [2, { value: 2 }],
          [3, { value: 3 }],
        ]);
      });

      it('reads an unknown stream as empty at version 0', async () => {
        expect(await store.readStream('patient-nobody')).toEqual([]);
        expect(await store.streamVersion('patient-nobody')).toBe(0);
      });

      it('reads a stream between fromVersion and toVersion, both included', async () => {
        await store.append('patient-1', [1, 2, 3, 4, 5].map(labResult), { expectedVersion: 'no_stream' });

        const middle = await store.readStream('patient-1', { fromVersion: 2, toVersion: 4 });
        const tail = await store.readStream('patient-1', { fromVersion: 4 });
        const head = await store.readStream('patient-1', { toVersion: 2 });

        expect(middle.map((e) => e.streamVersion)).toEqual([2, 3, 4]);
        expect(tail.map((e) => e.streamVersion)).toEqual([4, 5]);
        expect(head.map((e) => e.streamVersion)).toEqual([1, 2]);
        expect(await store.readStream('patient-1', { fromVersion: 6 })).toEqual([]);
      });

      it('keeps a caller-fixed event id, and the recordedAt a caller gives', async () => {
        const eventId = '6f1c2a3e-9b4d-4c5e-8f70-112233445566';
        const recordedAt = '2024-03-01T08:00:00.000Z';
        const event = { ...labResult(1), eventId, metadata: { ...metadata(), recordedAt } };

        const { events } = await store.append('patient-1', [event], { expectedVersion: 'any' });

        expect(events[0].eventId).toBe(eventId);
        expect(events[0].metadata.recordedAt).toBe(recordedAt);
        expect((await store.readStream('patient-1'))[0]).toEqual(events[0]);
      });

      it('refuses a lone event whose caller-fixed id is already stored: nothing of it is stored, its command is not remembered', async () => {
        const eventId = '7a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d';
        const first = await store.append('patient-1', [{ ...labResult(1), eventId }], { expectedVersion: 'any' });

        const again = store.append('patient-2', [{ ...labResult(2), eventId: eventId.toUpperCase() }], {
          expectedVersion: 'no_stream',
          commandId: 'cmd-reuse',
        });

        await expect(again).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(again).rejects.toMatchObject({ eventId });
        expect(await store.streamVersion('patient-2')).toBe(0);
        expect(await store.findCommand('cmd-reuse')).toBeNull();
        expect(await collect(store.readAll())).toEqual(first.events);
      });

      it('stores the command id in every event of the command', async () => {
        const { events } = await store.append('patient-1', [labResult(1), labResult(2)], {
          expectedVersion: 'any',
          commandId: 'cmd-lab-1',
        });
        expect(events.map((e) => e.metadata.commandId)).toEqual(['cmd-lab-1', 'cmd-lab-1']);
      });
    });

    describe('expected version', () => {
      it('accepts an exact version and rejects another, naming stream, expected and actual', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 0 });

        const error = await store.append('patient-1', [labResult(2)], { expectedVersion: 0 }).catch((e) => e);

        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamId: 'patient-1', expected: 0, actual: 1, code: 'WRONG_EXPECTED_VERSION' });
        await expect(store.append('patient-1', [labResult(2)], { expectedVersion: 2 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.append('patient-1', [labResult(2)], { expectedVersion: 1 })).resolves.toMatchObject({ version: 2 });
      });

      it("'no_stream' succeeds on a new stream and fails on an existing one", async () => {
        await expect(store.append('patient-1', [labResult(1)], { expectedVersion: 'no_stream' })).resolves.toBeDefined();
        await expect(store.append('patient-1', [labResult(2)], { expectedVersion: 'no_stream' })).rejects.toMatchObject({
          name: 'WrongExpectedVersionError',
          expected: 'no_stream',
          actual: 1,
        });
      });

      it("'stream_exists' fails on a new stream and succeeds on an existing one", async () => {
        await expect(store.append('patient-1', [labResult(1)], { expectedVersion: 'stream_exists' })).rejects.toMatchObject({
          name: 'WrongExpectedVersionError',
          expected: 'stream_exists',
          actual: 0,
        });
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'no_stream' });
        await expect(store.append('patient-1', [labResult(2)], { expectedVersion: 'stream_exists' })).resolves.toMatchObject({
          version: 2,
        });
      });

      it("'any' appends whatever the version", async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });
        await store.append('patient-1', [labResult(2)], { expectedVersion: 'any' });
        expect(await store.streamVersion('patient-1')).toBe(2);
      });

      it('stores nothing from a rejected append', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 0 });
        const head = await store.headPosition();

        await store.append('patient-1', [labResult(2), labResult(3)], { expectedVersion: 0 }).catch(() => undefined);

        expect(await store.headPosition()).toBe(head);
        expect(await store.streamVersion('patient-1')).toBe(1);
      });

      it('lets exactly one of two writers at the same expected version win', async () => {
        await store.append('patient-1', [labResult(0)], { expectedVersion: 'no_stream' });

        const outcomes = await Promise.allSettled([
          store.append('patient-1', [labResult(1)], { expectedVersion: 1 }),
          store.append('patient-1', [labResult(2)], { expectedVersion: 1 }),
        ]);

        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(WrongExpectedVersionError);
        const winner = (won[0] as PromiseFulfilledResult<{ events: StoredEvent[] }>).value.events[0];
        expect(await store.readStream('patient-1', { fromVersion: 2 })).toEqual([winner]);
      });

      it('rejects a malformed expected version before storing anything', async () => {
        await expect(store.append('patient-1', [labResult(1)], { expectedVersion: -1 })).rejects.toBeInstanceOf(InvalidAppendError);
        await expect(store.append('patient-1', [labResult(1)], { expectedVersion: 'latest' as never })).rejects.toBeInstanceOf(InvalidAppendError);
        expect(await store.headPosition()).toBe(0);
      });
    });

    describe('global order', () => {
      it('gives strictly increasing global positions, in commit order, across streams', async () => {
        const a1 = await store.append('patient-a', [labResult(1)], { expectedVersion: 'any' });
        const b1 = await store.append('patient-b', [labResult(2), labResult(3)], { expectedVersion: 'any' });
        const a2 = await store.append('patient-a', [labResult(4)], { expectedVersion: 'any' });

        const positions = [...a1.events, ...b1.events, ...a2.events].map((e) => e.globalPosition);
        expect(positions[0]).toBeGreaterThanOrEqual(1);
        expect(isStrictlyIncreasing(positions)).toBe(true);
        expect(await store.headPosition()).toBe(positions[3]);
        const all = await collect(store.readAll());
        expect(all.map((e) => e.globalPosition)).toEqual(positions);
        expect(all.map((e) => e.data)).toEqual([1, 2, 3, 4].map((value) => ({ value })));
      });

      it('starts an empty store at head position 0', async () => {
        expect(await store.headPosition()).toBe(0);
        expect(await collect(store.readAll())).toEqual([]);
      });

      it('reads everything in batches of batchSize, after a position, up to a position', async () => {
        for (let i = 1; i <= 7; i++) await store.append(`patient-${i % 3}`, [labResult(i)], { expectedVersion: 'any' });
        const all = await collect(store.readAll());
        const positions = all.map((e) => e.globalPosition);

        const batches: StoredEvent[][] = [];
        for await (const batch of store.readAll({ batchSize: 3 })) batches.push(batch);
        expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
        expect(batches.flat()).toEqual(all);

        const after = await collect(store.readAll({ after: positions[2], batchSize: 2 }));
        expect(after.map((e) => e.globalPosition)).toEqual(positions.slice(3));

        const upTo = await collect(store.readAll({ after: positions[1], to: positions[4], batchSize: 2 }));
        expect(upTo.map((e) => e.globalPosition)).toEqual(positions.slice(2, 5));
      });

      it('keeps every stream dense and the log ordered under any interleaving of appends', async () => {
        const appends = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 12,
        });
        let run = 0;
        await fc.assert(
          fc.asyncProperty(appends, async (plan) => {
            run++;
            const results = await Promise.all(
              plan.map(([stream, count], i) =>
                store.append(
                  `prop${run}-${stream}`,
                  Array.from({ length: count }, (_, k) => labResult(i * 10 + k)),
                  {
                    expectedVersion: 'any',
                  },
                ),
              ),
            );
            const written = results.flatMap((r) => r.events);
            const log = (await collect(store.readAll())).filter((e) => e.streamId.startsWith(`prop${run}-`));
            expect(log).toEqual([...written].sort((x, y) => x.globalPosition - y.globalPosition));
            for (const stream of ['a', 'b', 'c']) {
              const versions = log.filter((e) => e.streamId === `prop${run}-${stream}`).map((e) => e.streamVersion);
              expect(versions).toEqual(versions.map((_, i) => i + 1));
            }
          }),
          { numRuns: 15 },
        );
      });
    });

    describe('idempotency', () => {
      it('answers a repeated command with its first result and appends nothing', async () => {
        const first = await store.append('patient-1', [labResult(1), labResult(2)], {
          expectedVersion: 'no_stream',
          commandId: 'cmd-1',
        });
        const head = await store.headPosition();

        const again = await store.append('patient-1', [labResult(99)], { expectedVersion: 'no_stream', commandId: 'cmd-1' });

        expect(again).toEqual({ ...first, duplicate: true });
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream('patient-1')).toEqual(first.events);
      });

      it('answers a repeated command with the version right after its first result, even once the stream moved on', async () => {
        const first = await store.append('patient-1', [labResult(1)], { expectedVersion: 0, commandId: 'cmd-1' });
        await store.append('patient-1', [labResult(2)], { expectedVersion: 1 });

        const again = await store.append('patient-1', [labResult(1)], { expectedVersion: 0, commandId: 'cmd-1' });

        expect(again.duplicate).toBe(true);
        expect(again.version).toBe(1);
        expect(again.events).toEqual(first.events);
        expect(await store.streamVersion('patient-1')).toBe(2);
      });

      it('finds the events a command stored, and null for an unknown command', async () => {
        const first = await store.append('patient-1', [labResult(1)], { expectedVersion: 'any', commandId: 'cmd-1' });

        expect(await store.findCommand('cmd-1')).toEqual(first.events);
        expect(await store.findCommand('cmd-unknown')).toBeNull();
      });

      it('remembers a command that stored no events', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });

        const first = await store.append('patient-1', [], { expectedVersion: 1, commandId: 'cmd-nothing' });
        await store.append('patient-1', [labResult(2)], { expectedVersion: 1 });
        const again = await store.append('patient-1', [], { expectedVersion: 1, commandId: 'cmd-nothing' });

        expect(first).toEqual({ streamId: 'patient-1', events: [], version: 1, duplicate: false });
        expect(again).toEqual({ streamId: 'patient-1', events: [], version: 1, duplicate: true });
        expect(await store.findCommand('cmd-nothing')).toEqual([]);
      });

      it('does not remember a command whose append was rejected', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });
        await expect(store.append('patient-1', [labResult(2)], { expectedVersion: 0, commandId: 'cmd-late' })).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );

        expect(await store.findCommand('cmd-late')).toBeNull();
        const retried = await store.append('patient-1', [labResult(2)], { expectedVersion: 1, commandId: 'cmd-late' });
        expect(retried).toMatchObject({ duplicate: false, version: 2 });
      });

      it('stores a command sent twice at once only once', async () => {
        const [one, two] = await Promise.all([
          store.append('patient-1', [labResult(1)], { expectedVersion: 'any', commandId: 'cmd-twice' }),
          store.append('patient-1', [labResult(1)], { expectedVersion: 'any', commandId: 'cmd-twice' }),
        ]);

        expect([one.duplicate, two.duplicate].sort()).toEqual([false, true]);
        expect(one.events).toEqual(two.events);
        expect(await store.streamVersion('patient-1')).toBe(1);
      });
    });

    describe('concurrent appends', () => {
      it('gives each of 64 appends in flight its own result, and the one conflicting append its own error', async () => {
        await store.append('patient-conflict', [labResult(0)], { expectedVersion: 'no_stream' });

        const outcomes = await Promise.allSettled(
          Array.from({ length: 64 }, (_, i) =>
            i === 37
              ? store.append('patient-conflict', [labResult(i)], { expectedVersion: 0 })
              : store.append(`patient-${i}`, [labResult(i), labResult(i + 1000)], { expectedVersion: 'no_stream' }),
          ),
        );

        outcomes.forEach((outcome, i) => {
          if (i === 37) {
            expect(outcome.status).toBe('rejected');
            expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
            return;
          }
          expect(outcome.status).toBe('fulfilled');
          const result = (outcome as PromiseFulfilledResult<{ streamId: string; version: number; events: StoredEvent[] }>).value;
          expect(result.streamId).toBe(`patient-${i}`);
          expect(result.version).toBe(2);
          expect(result.events.map((e) => [e.streamId, e.data])).toEqual([
            [`patient-${i}`, { value: i }],
            [`patient-${i}`, { value: i + 1000 }],
          ]);
        });
        const all = await collect(store.readAll());
        expect(all).toHaveLength(1 + 63 * 2);
        expect(new Set(all.map((e) => e.globalPosition)).size).toBe(all.length);
        expect(await store.streamVersion('patient-conflict')).toBe(1);
      });

      it('fails an append that half-way reuses a stored event id alone: nothing of it is stored, the others commit', async () => {
        const eventId = '0b0e7a52-3c1d-4e8f-9a6b-7c8d9e0f1a2b';
        await store.append('patient-1', [{ ...labResult(1), eventId }], { expectedVersion: 'any' });

        const [clash, other] = await Promise.allSettled([
          store.append('patient-2', [labResult(2), { ...labResult(3), eventId }], { expectedVersion: 'any' }),
          store.append('patient-3', [labResult(4)], { expectedVersion: 'any' }),
        ]);

        expect(clash.status).toBe('rejected');
        expect((clash as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateEventIdError);
        expect((clash as PromiseRejectedResult).reason).toMatchObject({ eventId });
        expect(other.status).toBe('fulfilled');
        expect(await store.streamVersion('patient-2')).toBe(0);
        expect((await collect(store.readAll())).map((e) => e.data)).toEqual([{ value: 1 }, { value: 4 }]);
      });

      it('appends many concurrent writes to one stream in a consistent order', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append('patient-busy', [labResult(i)], { expectedVersion: 'any' })));

        const stream = await store.readStream('patient-busy');
        expect(stream.map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(stream).toEqual(results.flatMap((r) => r.events).sort((x, y) => x.streamVersion - y.streamVersion));
        expect(new ChainVerifier().feed(stream).finish().ok).toBe(true);
      });
    });

    describe('subscriptions', () => {
      let subscriptions: Subscription[];
      beforeEach(() => (subscriptions = []));
      afterEach(async () => {
        for (const subscription of subscriptions) await subscription.stop();
      });

      it('catches up, then follows live, with no gap and no duplicate, including events appended during catch-up', async () => {
        for (let i = 1; i <= 10; i++) await store.append(`patient-${i % 2}`, [labResult(i)], { expectedVersion: 'any' });
        const seen: StoredEvent[] = [];
        let calls = 0;
        let appendedDuringCatchUp = false;

        subscriptions.push(
          store.subscribe({ after: 0, batchSize: 3 }, async (batch) => {
            calls++;
            seen.push(...batch);
            if (!appendedDuringCatchUp) {
              appendedDuringCatchUp = true;
              await store.append('patient-late', [labResult(11), labResult(12)], { expectedVersion: 'any' });
            }
          }),
        );
        await waitUntil(() => seen.length >= 12);
        await store.append('patient-live', [labResult(13)], { expectedVersion: 'any' });
        await Promise.all([14, 15].map((v) => store.append(`patient-live-${v}`, [labResult(v)], { expectedVersion: 'any' })));
        await waitUntil(() => seen.length >= 15);
        await settle();

        const all = await collect(store.readAll());
        expect(seen).toEqual(all);
        expect(all).toHaveLength(15);
        expect(calls).toBeGreaterThanOrEqual(4);
        expect(subscriptions[0].position).toBe(all[14].globalPosition);
      });

      it('delivers every event of the types asked for, in order, and moves past the others', async () => {
        for (let i = 1; i <= 7; i++) await store.append(`patient-${i % 2}`, [labResult(i)], { expectedVersion: 'any' });
        await store.append('alert-a', [{ type: 'AlertRaised', schemaVersion: 1, data: { n: 1 }, metadata: metadata() }], { expectedVersion: 'any' });
        for (let i = 8; i <= 9; i++) await store.append(`patient-${i % 2}`, [labResult(i)], { expectedVersion: 'any' });
        const all = await collect(store.readAll());
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe({ after: 0, batchSize: 4, types: ['AlertRaised'] }, (batch) => void seen.push(...batch));
        subscriptions.push(subscription);
        await waitUntil(() => subscription.position === all[all.length - 1].globalPosition);
        await settle();

        expect(seen.filter((event) => event.type === 'AlertRaised')).toEqual(all.filter((event) => event.type === 'AlertRaised'));
        expect(isStrictlyIncreasing(seen.map((event) => event.globalPosition))).toBe(true);
        for (const event of seen) expect(event).toEqual(all.find((e) => e.globalPosition === event.globalPosition));
      });

      it('delivers the events of the types asked for across long stretches of other types, and reaches the head', async () => {
        const alert = (n: number): NewEvent => ({ type: 'AlertRaised', schemaVersion: 1, data: { n }, metadata: metadata() });
        const labs = (from: number, count: number) => Array.from({ length: count }, (_, i) => labResult(from + i));
        // Far more than a batch of other types at a time, and more alerts in a row than a batch.
        await store.append('patient-1', labs(1, 150), { expectedVersion: 'any' });
        await store.append('alert-a', [alert(1), alert(2), alert(3), alert(4), alert(5)], { expectedVersion: 'any' });
        await store.append('patient-1', labs(151, 90), { expectedVersion: 'any' });
        await store.append('alert-b', [alert(6)], { expectedVersion: 'any' });
        await store.append('patient-1', labs(241, 45), { expectedVersion: 'any' });
        const all = await collect(store.readAll());
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe({ after: 0, batchSize: 2, types: ['AlertRaised'] }, (batch) => void seen.push(...batch));
        subscriptions.push(subscription);
        await waitUntil(() => subscription.position === all[all.length - 1].globalPosition);

        expect(seen.filter((event) => event.type === 'AlertRaised').map((event) => event.data)).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ n })));
        expect(isStrictlyIncreasing(seen.map((event) => event.globalPosition))).toBe(true);
        for (const event of seen) expect(event).toEqual(all.find((e) => e.globalPosition === event.globalPosition));

        // readAll takes the same hint, and reads to the head (a rebuild knows it has read the whole log).
        const read = await collect(store.readAll({ batchSize: 2, types: ['AlertRaised'] }));
        expect(read.filter((event) => event.type === 'AlertRaised')).toEqual(all.filter((event) => event.type === 'AlertRaised'));
        expect(isStrictlyIncreasing(read.map((event) => event.globalPosition))).toBe(true);
        expect(read[read.length - 1]).toEqual(all[all.length - 1]);
        const upTo = await collect(store.readAll({ batchSize: 2, types: ['AlertRaised'], to: all[200].globalPosition }));
        expect(upTo.filter((event) => event.type === 'AlertRaised')).toEqual(all.slice(0, 201).filter((event) => event.type === 'AlertRaised'));
        expect(upTo[upTo.length - 1].globalPosition).toBeLessThanOrEqual(all[200].globalPosition);
      });

      it('starts strictly after the given position', async () => {
        const { events } = await store.append('patient-1', [1, 2, 3, 4].map(labResult), { expectedVersion: 'any' });
        const seen: StoredEvent[] = [];

        subscriptions.push(store.subscribe({ after: events[1].globalPosition }, (batch) => void seen.push(...batch)));
        await waitUntil(() => seen.length >= 2);
        await settle();

        expect(seen).toEqual(events.slice(2));
      });

      it('calls the handler one batch at a time, in order', async () => {
        for (let i = 1; i <= 9; i++) await store.append('patient-1', [labResult(i)], { expectedVersion: 'any' });
        let running = 0;
        let overlapped = false;
        const seen: number[] = [];

        subscriptions.push(
          store.subscribe({ after: 0, batchSize: 2 }, async (batch) => {
            running++;
            overlapped ||= running > 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            seen.push(...batch.map((e) => e.globalPosition));
            running--;
          }),
        );
        await store.append('patient-1', [labResult(10)], { expectedVersion: 'any' });
        await waitUntil(() => seen.length >= 10);

        expect(overlapped).toBe(false);
        expect(isStrictlyIncreasing(seen)).toBe(true);
      });

      it('delivers nothing more after stop(), and closed resolves', async () => {
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe({ after: 0 }, (batch) => void seen.push(...batch));
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });
        await waitUntil(() => seen.length === 1);

        await subscription.stop();
        await store.append('patient-1', [labResult(2)], { expectedVersion: 'any' });
        await settle(400);

        await expect(subscription.closed).resolves.toBeUndefined();
        expect(seen).toHaveLength(1);
        expect(subscription.position).toBe(seen[0].globalPosition);
      });

      it('ends with the handler error when the handler throws, and delivers nothing more', async () => {
        await store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });
        let calls = 0;
        const subscription = store.subscribe({ after: 0 }, () => {
          calls++;
          throw new Error('projection failed');
        });

        await expect(subscription.closed).rejects.toThrow('projection failed');
        await store.append('patient-1', [labResult(2)], { expectedVersion: 'any' });
        await settle(400);
        expect(calls).toBe(1);
        expect(subscription.position).toBe(0);
      });

      it('stops its subscriptions when the store closes', async () => {
        const subscription = store.subscribe({ after: 0 }, () => undefined);
        await store.close();
        await expect(subscription.closed).resolves.toBeUndefined();
      });
    });

    describe('hash chain', () => {
      it('chains each event of a stream to the previous one, the first to null', async () => {
        await store.append('patient-1', [labResult(1), labResult(2)], { expectedVersion: 'any' });
        await store.append('patient-2', [labResult(3)], { expectedVersion: 'any' });
        await store.append('patient-1', [labResult(4)], { expectedVersion: 'any' });

        const stream = await store.readStream('patient-1');
        expect(stream[0].previousHash).toBeNull();
        expect(stream[1].previousHash).toBe(stream[0].hash);
        expect(stream[2].previousHash).toBe(stream[1].hash);
        expect((await store.readStream('patient-2'))[0].previousHash).toBeNull();
        for (const event of stream) {
          expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
          expect(hashEvent(event, event.previousHash)).toBe(event.hash);
        }
      });

      it('verifies the whole log with the chain verifier', async () => {
        for (let i = 1; i <= 12; i++) {
          await store.append(`patient-${i % 4}`, [labResult(i), labResult(i + 100)], { expectedVersion: 'any' });
        }
        const verifier = new ChainVerifier();
        for await (const batch of store.readAll({ batchSize: 5 })) verifier.feed(batch);

        expect(verifier.finish()).toEqual({ ok: true, streams: 4, events: 24, broken: [] });
      });

      // Optional capability: adapters without it are verified through readAll (their tests skipped, by name).
      const itWithChainRecords = (title: string, test: (read: NonNullable<EventStore['readChainRecords']>) => Promise<void>) =>
        (options.chainRecords ? it : it.skip)(options.chainRecords ? title : `${title} [no readChainRecords in this adapter]`, async () => {
          const read = store.readChainRecords;
          if (!read) throw new Error(`${name} was declared with chainRecords but its store has no readChainRecords`);
          await test((batchOptions) => read.call(store, batchOptions));
        });

      itWithChainRecords('reads chain records carrying the exact text each hash covers, whatever the characters of the ids', async (read) => {
        // Characters canonicalString escapes (quote, backslash, controls, NUL) and some it keeps as they are.
        const streams = ['patient-1', 'patient "two" \\ back', 'tab\there\nnew line \u0000 \u001f \u007f', 'Zoë 王 🧪 \u2028'];
        for (const [i, streamId] of streams.entries()) {
          await store.append(streamId, [labResult(i), { ...labResult(i + 10), type: `Odd "type" \\ \u0001 ${i}` }], { expectedVersion: 'any' });
        }
        const events = await collect(store.readAll());
        const records = (await collectRecords(read({ batchSize: 3 }))).map((record) => [...record]);

        expect(records).toEqual(
          events.map((e) => [e.globalPosition, e.streamId, e.streamVersion, e.hash, e.previousHash, canonicalEnvelope(e, e.previousHash)]),
        );
        for (const [, , , hash, , envelope] of records) expect(hashEnvelope(envelope as string)).toBe(hash);
        const verifier = new ChainVerifier();
        for await (const batch of read({ batchSize: 5 })) verifier.feedRecords(batch);
        expect(verifier.finish()).toEqual({ ok: true, streams: 4, events: 8, broken: [] });
      });

      itWithChainRecords('reads chain records in batches of batchSize, after a position, up to a position, as readAll does', async (read) => {
        for (let i = 1; i <= 7; i++) await store.append(`patient-${i % 3}`, [labResult(i)], { expectedVersion: 'any' });
        const positions = (await collect(store.readAll())).map((e) => e.globalPosition);

        const batches: number[][] = [];
        for await (const batch of read({ batchSize: 3 })) batches.push(batch.map((record) => record[0]));
        expect(batches).toEqual([positions.slice(0, 3), positions.slice(3, 6), positions.slice(6)]);
        const upTo = await collectRecords(read({ after: positions[1], to: positions[4], batchSize: 2 }));
        expect(upTo.map((record) => record[0])).toEqual(positions.slice(2, 5));
      });
    });

    describe('snapshot log', () => {
      // Optional capability: readers of an adapter without it fold whole streams (their tests skipped, by name).
      const itWithSnapshots = (title: string, test: (log: SnapshotLog) => Promise<void>) =>
        (options.snapshots ? it : it.skip)(options.snapshots ? title : `${title} [no snapshot log in this adapter]`, async () => {
          if (!store.snapshots) throw new Error(`${name} was declared with snapshots but its store has no snapshot log`);
          await test(store.snapshots);
        });
      const snapshot = (streamVersion: number, hash: string, state = `{"v":${streamVersion}}`): StreamSnapshot => ({
        streamId: 'patient-1',
        kind: 'fold/1',
        streamVersion,
        hash,
        state,
        takenAt: '2026-03-01T10:00:00.000Z',
      });

      itWithSnapshots('keeps the latest snapshot per stream and kind, never moving back to an earlier version', async (log) => {
        expect(await log.latest('patient-1', 'fold/1')).toBeNull();
        await log.save(snapshot(10, 'a'.repeat(64)));
        await log.save(snapshot(20, 'b'.repeat(64)));
        await log.save(snapshot(15, 'c'.repeat(64)));
        await log.save({ ...snapshot(5, 'd'.repeat(64)), kind: 'other/1' });
        expect(await log.latest('patient-1', 'fold/1')).toEqual(snapshot(20, 'b'.repeat(64)));
        expect(await log.latest('patient-1', 'other/1')).toMatchObject({ streamVersion: 5 });
        expect(await log.latest('patient-2', 'fold/1')).toBeNull();
      });

      itWithSnapshots('replaces a snapshot at the same version under another hash (the log changed under it), and clears a kind', async (log) => {
        await log.save(snapshot(20, 'b'.repeat(64)));
        await log.save(snapshot(20, 'e'.repeat(64), '{"refolded":true}'));
        expect(await log.latest('patient-1', 'fold/1')).toEqual(snapshot(20, 'e'.repeat(64), '{"refolded":true}'));
        await log.save({ ...snapshot(3, 'f'.repeat(64)), streamId: 'patient-2' });
        expect(await log.clear('fold/1')).toBe(2);
        expect(await log.latest('patient-1', 'fold/1')).toBeNull();
      });
    });

    describe('checkpoint log', () => {
      // Optional capability: adapters without dense positions declare it unsupported (their tests skipped, by name).
      const itWithCheckpoints = (title: string, test: (log: CheckpointLog) => Promise<void>) =>
        (options.checkpoints ? it : it.skip)(options.checkpoints ? title : `${title} [no checkpoint log in this adapter]`, async () => {
          if (!store.checkpoints) throw new Error(`${name} was declared with checkpoints but its store has no checkpoint log`);
          await test(store.checkpoints);
        });
      const checkpoint = (treeSize: number, rootHash = 'ab'.repeat(32)): SignedCheckpoint => ({
        treeSize,
        rootHash,
        signedAt: `2026-03-0${Math.min(9, treeSize)}T10:00:00.000Z`,
        keyId: 'cd'.repeat(32),
        signature: Buffer.from(`signature of ${treeSize}`).toString('base64'),
      });

      itWithCheckpoints('hands over the stored hashes of a range of leaves, leaf i being the event at position i + 1', async (log) => {
        for (let i = 1; i <= 5; i++) await store.append(`patient-${i % 2}`, [labResult(i)], { expectedVersion: 'any' });
        const events = await collect(store.readAll());
        expect(await log.eventHashes(0, 5)).toEqual(events.map((e) => e.hash));
        expect(await log.eventHashes(1, 3)).toEqual(events.slice(1, 3).map((e) => e.hash));
        expect(await log.eventHashes(5, 9)).toEqual([]);
      });

      itWithCheckpoints('keeps checkpoints in tree-size order, lists those after a size, and only lets them grow', async (log) => {
        expect(await log.latest()).toBeNull();
        expect(await log.frontier()).toBeNull();
        const frontier = { treeSize: 3, roots: ['01'.repeat(32), '02'.repeat(32)] };
        expect(await log.record(checkpoint(3), frontier, new Map())).toBe(true);
        expect(
          await log.record(checkpoint(7), { treeSize: 7, roots: ['03'.repeat(32), '04'.repeat(32), '05'.repeat(32)] }, new Map([[0, '06'.repeat(32)]])),
        ).toBe(true);
        // Another node's late checkpoint (smaller, or the same size) is refused, and leaves the frontier as it was.
        expect(await log.record(checkpoint(7, 'ef'.repeat(32)), frontier, new Map())).toBe(false);
        expect(await log.record(checkpoint(5), frontier, new Map())).toBe(false);

        expect(await log.list()).toEqual([checkpoint(3), checkpoint(7)]);
        expect(await log.list(3)).toEqual([checkpoint(7)]);
        expect(await log.list(0, 1)).toEqual([checkpoint(3)]);
        expect(await log.list(7)).toEqual([]);
        expect(await log.latest()).toEqual(checkpoint(7));
        expect(await log.frontier()).toEqual({ treeSize: 7, roots: ['03'.repeat(32), '04'.repeat(32), '05'.repeat(32)] });
        expect(await log.tileRoots(0, 10)).toEqual(new Map([[0, '06'.repeat(32)]]));
        expect(await log.tileRoots(1, 10)).toEqual(new Map());
      });

      itWithCheckpoints('remembers how far each channel published, never going back', async (log) => {
        expect(await log.publishedUpTo('kafka')).toBe(0);
        await log.markPublished('kafka', 2000);
        await log.markPublished('kafka', 1000);
        await log.markPublished('file', 1000);
        expect(await log.publishedUpTo('kafka')).toBe(2000);
        expect(await log.publishedUpTo('file')).toBe(1000);
      });

      (options.checkpoints && persistent ? it : it.skip)('keeps checkpoints and the frontier across a reopen', async () => {
        if (!made.reopen || !store.checkpoints) throw new Error(`${name}: a persistent store with checkpoints must reopen`);
        await store.checkpoints.record(checkpoint(2), { treeSize: 2, roots: ['07'.repeat(32)] }, new Map());
        await store.close();
        const again = await made.reopen();
        opened.push(again);
        expect(await again.checkpoints?.latest()).toEqual(checkpoint(2));
        expect(await again.checkpoints?.frontier()).toEqual({ treeSize: 2, roots: ['07'.repeat(32)] });
      });
    });

    describe('round trip of data and metadata', () => {
      it('reads back exactly what was written: unicode, nesting, decimals, extremes', async () => {
        const data = {
          patientId: 'TR-0042',
          note: 'Pélagie Ørsted 王秀英 مريض 🧪💉 e\u0301 \u0000 "quoted" \\ back',
          values: [0.1, 79.9, 0.30000000000000004, 1e-7, 1e21, -5, 0, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
          nested: { deep: { deeper: [{ a: null }, [], {}, [[1, [2, [3]]]]] }, flag: true, off: false, empty: '' },
          'key with spaces and ü': 'ok',
          b: 2,
          a: 1,
        };
        const meta = {
          ...metadata(),
          userName: 'Dr Zoë Ångström',
          siteId: null,
          causationId: null,
          reason: 'Transcription error: 79,9 → 79.9',
        };
        const written = await store.append('patient-1', [{ type: 'LabResultRecorded', schemaVersion: 1, data, metadata: meta }], {
          expectedVersion: 'any',
        });

        const [read] = await store.readStream('patient-1');
        expect(read.data).toEqual(data);
        expect(Object.is((read.data as typeof data).values[1], 79.9)).toBe(true);
        expect(read.metadata).toEqual({ ...meta, recordedAt: read.metadata.recordedAt, commandId: read.metadata.commandId });
        expect(read).toEqual(written.events[0]);
        expect((await collect(store.readAll()))[0]).toEqual(read);
      });

      it('stores top-level data that is not an object (a number, a string, an array)', async () => {
        const events: NewEvent[] = [42, 'text', [1, 'two'], null].map((data) => ({ type: 'Noted', schemaVersion: 2, data, metadata: metadata() }));
        await store.append('note-1', events, { expectedVersion: 'any' });
        const read = await store.readStream('note-1');
        expect(read.map((e) => e.data)).toEqual([42, 'text', [1, 'two'], null]);
        expect(read.map((e) => [e.type, e.schemaVersion])).toEqual(Array(4).fill(['Noted', 2]));
      });

      it('refuses values JSON would change silently, and stores nothing', async () => {
        for (const bad of [{ value: NaN }, { value: Infinity }, { value: 'lone \ud800 surrogate' }, { value: 10n }]) {
          await expect(store.append('patient-1', [{ ...labResult(1), data: bad }], { expectedVersion: 'any' })).rejects.toBeInstanceOf(InvalidAppendError);
        }
        expect(await store.headPosition()).toBe(0);
      });

      it('refuses an event without the audit metadata (who, when, correlation)', async () => {
        const { userId: _dropped, ...withoutUser } = metadata();
        await expect(store.append('patient-1', [{ ...labResult(1), metadata: withoutUser as never }], { expectedVersion: 'any' })).rejects.toThrow(
          /metadata\.userId/,
        );
      });
    });

    describe('closing and reopening', () => {
      it('refuses appends and reads once closed', async () => {
        await store.close();
        await expect(store.append('patient-1', [labResult(1)], { expectedVersion: 'any' })).rejects.toThrow(/closed/);
        await expect(store.readStream('patient-1')).rejects.toThrow(/closed/);
      });

      it('finishes appends in flight before closing', async () => {
        const pending = store.append('patient-1', [labResult(1)], { expectedVersion: 'any' });
        await store.close();
        await expect(pending).resolves.toMatchObject({ version: 1 });
      });

      (persistent ? it : it.skip)('returns the same events, versions, positions, hashes and commands after reopening', async () => {
        if (!made.reopen) throw new Error(`${name}: makeStore must return reopen() for a persistent store`);
        await store.append('patient-a', [labResult(1), labResult(2)], { expectedVersion: 'any', commandId: 'cmd-a' });
        await store.append('patient-b', [labResult(3)], { expectedVersion: 'any' });
        await store.append('patient-b', [], { expectedVersion: 1, commandId: 'cmd-empty' });
        const before = await collect(store.readAll());
        await store.close();

        const again = await made.reopen();
        opened.push(again);

        expect(await collect(again.readAll())).toEqual(before);
        expect(await again.streamVersion('patient-a')).toBe(2);
        expect(await again.headPosition()).toBe(before[2].globalPosition);
        const repeated = await again.append('patient-a', [labResult(9)], { expectedVersion: 0, commandId: 'cmd-a' });
        expect(repeated).toMatchObject({ duplicate: true, version: 2 });
        expect(repeated.events).toEqual(before.slice(0, 2));
        expect(await again.findCommand('cmd-empty')).toEqual([]);
        const next = await again.append('patient-b', [labResult(4)], { expectedVersion: 1 });
        expect(next.events[0].globalPosition).toBeGreaterThan(before[2].globalPosition);
        expect(next.events[0].previousHash).toBe(before[2].hash);
      });
    });
  });
}

function metadata() {
  return {
    userId: 'user-investigator-1',
    role: 'investigator',
    siteId: 'site-paris',
    occurredAt: '2024-02-29T09:30:00.000Z',
    correlationId: 'corr-1',
  };
}

function labResult(value: number): NewEvent {
  return { type: 'LabResultRecorded', schemaVersion: 1, data: { value }, metadata: metadata() };
}

async function collect(batches: AsyncIterable<StoredEvent[]>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

async function collectRecords(batches: AsyncIterable<ChainRecord[]>): Promise<ChainRecord[]> {
  const all: ChainRecord[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

function isStrictlyIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]);
}

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Leaves time for a wrongly delivered extra batch to show up before asserting there is none. */
function settle(ms = 100): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
