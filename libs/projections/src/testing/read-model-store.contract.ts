import type { EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import { createSqliteEventStore } from '@vigil/event-store';
import type { Projection, ProjectionTransaction } from '../engine/projection';
import { ProjectionRunner } from '../engine/projection-runner';
import { Projector } from '../engine/projector';
import { ReadModelDatabase } from '../engine/read-model-database';
import { ReadModelProgress, ReadModelsBehindError, readModelSource } from '../engine/read-model-progress';
import { Lease } from '../leadership/lease';
import { LeaseLostError } from '../store/read-model-store';

/**
 * Where a contract test keeps its read models: each call of `open` connects anew to the same place (a
 * SQLite file, a PostgreSQL schema), as a restarted process or another node would. `cleanup` removes it.
 */
export interface ReadModelPlace {
  open(): Promise<ReadModelDatabase>;
  cleanup?(): Promise<void>;
}

/** Counts events and sums `n` per stream; optionally throws once, mid-batch, after writing. */
class TallyProjection implements Projection {
  readonly name = 'tally';
  readonly handles = ['Counted'];
  throwAtPosition?: number;
  applied = 0;
  constructor(readonly version = 1) {}

  async install(tx: ProjectionTransaction): Promise<void> {
    await tx.exec(`CREATE TABLE ${tx.table('streams')} (stream_id TEXT PRIMARY KEY, events INTEGER NOT NULL, total BIGINT NOT NULL)`);
  }

  async apply(events: StoredEvent[], tx: ProjectionTransaction): Promise<void> {
    const upsert = `INSERT INTO ${tx.table('streams')} (stream_id, events, total) VALUES (?, 1, ?)
       ON CONFLICT (stream_id) DO UPDATE SET events = ${tx.table('streams')}.events + 1, total = ${tx.table('streams')}.total + excluded.total`;
    for (const event of events) {
      if (event.globalPosition === this.throwAtPosition) {
        this.throwAtPosition = undefined;
        throw new Error('disk on fire');
      }
      await tx.run(upsert, [event.streamId, (event.data as { n: number }).n]);
      this.applied++;
    }
  }
}

const counted = (n: number, type = 'Counted'): NewEvent => ({
  type,
  schemaVersion: 1,
  data: { n },
  metadata: { userId: 'u', role: 'system', occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c' },
});

async function appendMany(store: EventStore, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await store.append(`s-${i % 3}`, [counted(i), counted(0, 'Ignored')], { expectedVersion: 'any' });
}

async function tallies(db: ReadModelDatabase): Promise<{ stream_id: string; events: number; total: number }[]> {
  return db.read(async (sql) => sql.all(`SELECT * FROM ${await db.liveTable('tally', 'streams', sql)} ORDER BY stream_id`));
}

/** The tallies of `appendMany(store, 30)`: 10 events per stream, n = 1…30 summed by i % 3. */
const TALLIES_OF_30 = [
  { stream_id: 's-0', events: 10, total: 165 },
  { stream_id: 's-1', events: 10, total: 145 },
  { stream_id: 's-2', events: 10, total: 155 },
];

const eventsIn = async (db: ReadModelDatabase) => (await tallies(db)).reduce((sum, row) => sum + row.events, 0);

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The behaviour every read-model store gives the projection engine, run against each adapter (SQLite in
 * libs/projections, PostgreSQL in test/read-models): transactions, snapshots, builds and their blue/green
 * switch, checkpoints that never skip nor repeat an event, and leases with fencing.
 */
export function describeReadModelStoreContract(name: string, makePlace: () => Promise<ReadModelPlace>): void {
  describe(`${name} read-model store (contract)`, () => {
    let place: ReadModelPlace;
    const opened: ReadModelDatabase[] = [];
    const stores: EventStore[] = [];
    const open = async () => {
      const db = await place.open();
      opened.push(db);
      return db;
    };
    /** An event log of its own, with `count` Counted events (and as many Ignored ones) in it. */
    const openStore = async (count = 0) => {
      const store = await createSqliteEventStore({ file: ':memory:' });
      stores.push(store);
      await appendMany(store, count);
      return store;
    };
    beforeEach(async () => {
      place = await makePlace();
    });
    afterEach(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      for (const db of opened.splice(0)) await db.close().catch(() => undefined);
      await place.cleanup?.();
    });

    describe('transactions', () => {
      it('keeps all of a transaction or nothing of it', async () => {
        const db = await open();
        await db.transaction((sql) => sql.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)'));
        await db.transaction((sql) => sql.run('INSERT INTO notes (id, text) VALUES (?, ?)', [1, 'kept']));
        await expect(
          db.transaction(async (sql) => {
            await sql.run('INSERT INTO notes (id, text) VALUES (?, ?)', [2, 'lost']);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await db.read((sql) => sql.all('SELECT id, text FROM notes ORDER BY id'))).toEqual([{ id: 1, text: 'kept' }]);
      });

      it('joins a transaction started inside another instead of waiting for it', async () => {
        const db = await open();
        await db.transaction((sql) => sql.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)'));
        await db.transaction(async (sql) => {
          await sql.run('INSERT INTO notes (id) VALUES (?)', [1]);
          await db.transaction((inner) => inner.run('INSERT INTO notes (id) VALUES (?)', [2]));
          expect(await db.read((inner) => inner.all('SELECT id FROM notes ORDER BY id'))).toEqual([{ id: 1 }, { id: 2 }]);
        });
      });

      it('gives numbers back as numbers, large positions and fractions included', async () => {
        const db = await open();
        await db.transaction((sql) => sql.exec('CREATE TABLE figures (position BIGINT PRIMARY KEY, value DOUBLE PRECISION, grade INTEGER)'));
        await db.transaction((sql) => sql.run('INSERT INTO figures (position, value, grade) VALUES (?, ?, ?)', [2 ** 40, 79.125, 3]));
        expect(await db.read((sql) => sql.get('SELECT position, value, grade FROM figures'))).toEqual({ position: 2 ** 40, value: 79.125, grade: 3 });
      });

      it('shares what one connection commits with another (another node)', async () => {
        const writer = await open();
        const reader = await open();
        await writer.transaction((sql) => sql.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)'));
        await writer.transaction((sql) => sql.run('INSERT INTO notes (id) VALUES (?)', [7]));
        expect(await reader.read((sql) => sql.all('SELECT id FROM notes'))).toEqual([{ id: 7 }]);
      });
    });

    describe('installing tables', () => {
      it('creates the same tables from several nodes starting at once, each finding them there', async () => {
        const nodes = await Promise.all(Array.from({ length: 6 }, () => open()));
        const ddl = Array.from({ length: 5 }, (_, i) => `CREATE TABLE IF NOT EXISTS shared_${i} (id INTEGER PRIMARY KEY);`).join('\n');
        await Promise.all(nodes.map((db) => db.store.install(ddl)));
        await nodes[0].transaction((sql) => sql.run('INSERT INTO shared_4 (id) VALUES (?)', [1]));
        expect(await nodes[5].read((sql) => sql.all('SELECT id FROM shared_4'))).toEqual([{ id: 1 }]);
      });
    });

    describe('projection runner', () => {
      it('applies every handled event once and moves the checkpoint past unhandled ones', async () => {
        const store = await openStore(30);
        const db = await open();
        const runner = new ProjectionRunner(store, db, new TallyProjection(), { batchSize: 7 });
        await runner.start();
        await until(() => runner.position === 60);
        expect(await tallies(db)).toEqual(TALLIES_OF_30);
        expect(await db.liveBuild('tally')).toMatchObject({ build: 1, version: 1, position: 60, status: 'live' });
        await expect(runner.status()).resolves.toEqual({ name: 'tally', version: 1, build: 1, live: true, state: 'following', position: 60, head: 60, lag: 0 });
        await runner.stop();
      });

      it('rolls back a batch that throws midway and retries it from the checkpoint, giving the uninterrupted result', async () => {
        const store = await openStore(30);
        const db = await open();
        const failing = new TallyProjection();
        failing.throwAtPosition = 25; // inside the 3rd batch of 10, after 2 of its events were written
        const runner = new ProjectionRunner(store, db, failing, { batchSize: 10, retryDelayMs: 5 });
        await runner.start();
        await until(() => runner.position === 60);
        expect(await tallies(db)).toEqual(TALLIES_OF_30);
        await runner.stop();
      });

      it('resumes after a restart from the committed checkpoint without applying an event twice', async () => {
        const store = await openStore(12);
        let db = await open();
        const crashing = new TallyProjection();
        crashing.throwAtPosition = 15;
        let runner = new ProjectionRunner(store, db, crashing, { batchSize: 4, retryDelayMs: 60_000 });
        await runner.start();
        await until(async () => (await runner.status()).state === 'failed');
        // Committed: the batches before the one that failed (where batches end is the event store's business).
        const committed = (await db.liveBuild('tally'))?.position ?? 0;
        expect(committed).toBeGreaterThan(0);
        expect(committed).toBeLessThan(15);
        await runner.stop();
        await db.close(); // the process dies here

        await appendMany(store, 6);
        db = await open();
        runner = new ProjectionRunner(store, db, new TallyProjection(), { batchSize: 4 });
        await runner.start();
        await until(() => runner.position === 36);
        expect(await eventsIn(db)).toBe(18);
        await runner.stop();
      });

      it('builds a new version beside the live one and switches to it once caught up, dropping the old tables', async () => {
        const store = await openStore(9);
        const db = await open();
        const v1 = new ProjectionRunner(store, db, new TallyProjection(1));
        await v1.start();
        await until(() => v1.position === 18);
        await v1.stop();

        const v2Projection = new TallyProjection(2);
        let liveWhileBuilding: string | undefined;
        const originalApply = v2Projection.apply.bind(v2Projection);
        v2Projection.apply = async (events, tx) => {
          liveWhileBuilding ??= await db.liveTable('tally', 'streams', tx);
          await originalApply(events, tx);
        };
        const v2 = new ProjectionRunner(store, db, v2Projection, { batchSize: 5 });
        await v2.start();
        await until(async () => (await db.liveBuild('tally'))?.version === 2);

        expect(liveWhileBuilding).toBe('tally_v1_b1_streams');
        expect(await db.liveTable('tally', 'streams')).toBe('tally_v2_b2_streams');
        expect((await tallies(db)).map((t) => t.events)).toEqual([3, 3, 3]);
        expect(await db.read((sql) => db.store.tablesStartingWith(sql, 'tally_'))).toEqual(['tally_v2_b2_streams']);
        expect((await db.builds('tally')).map((b) => b.build)).toEqual([2]);
        await v2.stop();
      });

      it('resumes a half-done build after a restart instead of starting it again', async () => {
        const store = await openStore(10);
        let db = await open();
        const v1 = new ProjectionRunner(store, db, new TallyProjection(1));
        await v1.start();
        await until(async () => (await db.livePosition('tally')) === 20);
        await v1.stop();
        await db.close();

        db = await open();
        const interrupted = new TallyProjection(2);
        interrupted.throwAtPosition = 13;
        const v2 = new ProjectionRunner(store, db, interrupted, { batchSize: 4, retryDelayMs: 60_000 });
        await v2.start();
        await until(async () => (await v2.status()).state === 'failed');
        const halfDone = (await db.build('tally', 2))?.position ?? 0;
        expect(halfDone).toBeGreaterThan(0);
        expect(halfDone).toBeLessThan(13);
        await v2.stop();
        await db.close(); // the process dies half-way through building v2

        db = await open();
        const resumed = new TallyProjection(2);
        const runner = new ProjectionRunner(store, db, resumed, { batchSize: 4 });
        await runner.start();
        expect(runner.build).toBe(2);
        await until(async () => (await db.liveBuild('tally'))?.version === 2);
        // Only what follows the half-done build's position: the counted events sit at the odd positions 1–19.
        expect(resumed.applied).toBe(Math.floor((20 - halfDone) / 2));
        expect(await eventsIn(db)).toBe(10);
        await runner.stop();
      });

      it('refuses to run a version older than the live one', async () => {
        const store = await openStore();
        const db = await open();
        const v2 = new ProjectionRunner(store, db, new TallyProjection(2));
        await v2.start();
        await v2.stop();
        await expect(new ProjectionRunner(store, db, new TallyProjection(1)).start()).rejects.toThrow(/newer than this code's version 1/);
      });
    });

    describe('blue/green rebuild', () => {
      it('rebuilds the live version beside itself: the live build keeps answering and following until the new one switches in', async () => {
        const store = await openStore(9);
        const db = await open();
        // The rebuild reads the log through readAll: hold it after its first batch while the test writes more.
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let firstBatchRead!: () => void;
        const firstBatch = new Promise<void>((resolve) => (firstBatchRead = resolve));
        const gated: EventStore = Object.assign(Object.create(store) as EventStore, {
          async *readAll(options: Parameters<EventStore['readAll']>[0]) {
            let first = true;
            for await (const batch of store.readAll(options)) {
              yield batch;
              if (first) {
                first = false;
                firstBatchRead();
                await released;
              }
            }
          },
        });
        const projector = new Projector(gated, db, [new TallyProjection()], { batchSize: 4 });
        await projector.start();
        await until(() => projector.runners[0].position === 18);

        const liveRunner = projector.runners[0];
        const rebuilding = projector.rebuild('tally');
        expect(rebuilding).toMatchObject({ projections: ['tally'], state: 'running' });
        await firstBatch;
        expect((await projector.describe('tally')).rebuild).toMatchObject({ state: 'running', builds: [{ name: 'tally', build: 2, live: false }] });
        // The rebuild has begun; events keep arriving, and the live build keeps taking and answering them.
        await appendMany(store, 3);
        await until(() => liveRunner.position === 24);
        const duringRebuild = { live: await db.liveTable('tally', 'streams'), events: await eventsIn(db) };
        release();
        await until(async () => (await db.liveBuild('tally'))?.build === 2 && projector.runners.length === 1 && projector.runners[0].position === 24);

        expect(duringRebuild).toEqual({ live: 'tally_v1_b1_streams', events: 12 });
        expect(await eventsIn(db)).toBe(12);
        expect(await liveRunner.status()).toMatchObject({ state: 'stopped', build: 1 });
        expect(await db.builds('tally')).toEqual([expect.objectContaining({ build: 2, status: 'live', position: 24 })]);
        expect(await db.read((sql) => db.store.tablesStartingWith(sql, 'tally_'))).toEqual(['tally_v1_b2_streams']);
        await projector.stop();
      });

      it('lets another connection see the new build only once it is switched live', async () => {
        const store = await openStore(6);
        const owner = await open();
        const replica = await open();
        const projector = new Projector(store, owner, [new TallyProjection()], { batchSize: 2 });
        await projector.start();
        await until(async () => (await replica.livePosition('tally')) === 12);
        const seen = new Set<string | undefined>();
        let watching = true;
        const watcher = (async () => {
          while (watching) {
            seen.add(JSON.stringify(await tallies(replica)));
            await new Promise((resolve) => setImmediate(resolve)); // SQLite answers without I/O: let the projector run
          }
        })();
        await projector.rebuild('tally');
        await until(async () => (await replica.liveBuild('tally'))?.build === 2);
        watching = false;
        await watcher;
        // Every read saw the whole read model, from one build or the other: never a half-built one.
        expect([...seen]).toEqual([JSON.stringify(await tallies(replica))]);
        await projector.stop();
      });
    });

    describe('read-your-writes', () => {
      it('resolves once the named read models cover the position, and reports those behind on timeout', async () => {
        const store = await openStore();
        const db = await open();
        const runner = new ProjectionRunner(store, db, new TallyProjection());
        await runner.start();
        const progress = new ReadModelProgress(store, [readModelSource(db, 'tally')]);
        await appendMany(store, 5);
        await progress.waitForPosition(10);
        expect(await eventsIn(db)).toBe(5);

        await runner.stop();
        await appendMany(store, 1);
        await expect(progress.waitForPosition(12, { timeoutMs: 50 })).rejects.toEqual(new ReadModelsBehindError(12, [{ name: 'tally', position: 10 }]));
      });
    });

    describe('leases', () => {
      const timing = { ttlMs: 300, heartbeatMs: 100 };

      it('gives a lease to one owner at a time, and to another once it expires, with a higher fencing token', async () => {
        const db = await open();
        // A long lease first, so a slow machine cannot let it expire before the standby is refused; the renewal shortens it.
        const first = await db.store.leases.acquire('work', 'node-a', 60_000);
        expect(first).toEqual({ name: 'work', owner: 'node-a', token: 1 });
        expect(await db.store.leases.acquire('work', 'node-b', timing.ttlMs)).toBeUndefined();
        expect(await db.store.leases.acquire('other-work', 'node-b', timing.ttlMs)).toEqual({ name: 'other-work', owner: 'node-b', token: 1 });
        expect(await db.store.leases.renew(first!, timing.ttlMs)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, timing.ttlMs + 50));
        // The new holder's lease is long too: a pause of the machine must not let it expire before it is read back.
        const second = await db.store.leases.acquire('work', 'node-b', 60_000);
        expect(second).toEqual({ name: 'work', owner: 'node-b', token: 2 });
        expect(await db.store.leases.renew(first!, timing.ttlMs)).toBe(false);
        expect(await db.store.leases.holder('work')).toMatchObject({ owner: 'node-b', token: 2 });
      });

      it('gives a released lease to the next owner at once, with a higher fencing token', async () => {
        const db = await open();
        const first = (await db.store.leases.acquire('work', 'node-a', 60_000))!;
        await db.store.leases.release(first);
        expect(await db.store.leases.holder('work')).toBeUndefined();
        expect(await db.store.leases.acquire('work', 'node-b', 60_000)).toEqual({ name: 'work', owner: 'node-b', token: 2 });
      });

      it('refuses the writes of an owner whose lease was taken over (fencing)', async () => {
        const db = await open();
        await db.transaction((sql) => sql.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)'));
        const stale = (await db.store.leases.acquire('work', 'node-a', 100))!;
        await new Promise((resolve) => setTimeout(resolve, 150));
        await db.store.leases.acquire('work', 'node-b', timing.ttlMs);
        await expect(
          db.transaction(async (sql) => {
            await db.store.leases.fence(sql, stale);
            await sql.run('INSERT INTO notes (id) VALUES (?)', [1]);
          }),
        ).rejects.toBeInstanceOf(LeaseLostError);
        expect(await db.read((sql) => sql.all('SELECT id FROM notes'))).toEqual([]);
      });

      it('hands the work to the standby when its owner stops renewing, and back to no one twice', async () => {
        const nodeA = await open();
        const nodeB = await open();
        const running: string[] = [];
        const work = (node: string) => ({
          start: async () => void running.push(node),
          stop: async () => void running.splice(running.indexOf(node), 1),
        });
        const a = new Lease(nodeA.store.leases, 'projection:tally', work('a'), timing, 'node-a');
        const b = new Lease(nodeB.store.leases, 'projection:tally', work('b'), timing, 'node-b');
        await a.start();
        await b.start();
        expect(running).toEqual(['a']);
        await a.stop(); // gives the lease up: the standby takes it at its next heartbeat
        await until(() => running.includes('b'), 2000);
        expect(running).toEqual(['b']);
        await b.stop();
      });
    });
  });
}
