import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent, StoredEvent } from '@vigil/event-store';
import type { Projection, ProjectionTransaction } from './projection';
import { ProjectionRunner } from './projection-runner';
import { Projector } from './projector';
import { ReadModelDatabase } from './read-model-database';
import { ReadModelProgress, ReadModelsBehindError, readModelSource } from './read-model-progress';
import { createSqliteEventStore } from '@vigil/event-store';

/** Counts events and sums `n` per stream; optionally throws once, mid-batch, after writing. */
class TallyProjection implements Projection {
  readonly name = 'tally';
  readonly handles = ['Counted'];
  throwAtPosition?: number;
  applied = 0;
  constructor(readonly version = 1) {}

  install(tx: ProjectionTransaction): void {
    tx.exec(`CREATE TABLE ${tx.table('streams')} (stream_id TEXT PRIMARY KEY, events INTEGER NOT NULL, total INTEGER NOT NULL)`);
  }

  apply(events: StoredEvent[], tx: ProjectionTransaction): void {
    const upsert = tx.statement(
      `INSERT INTO ${tx.table('streams')} (stream_id, events, total) VALUES (?, 1, ?)
       ON CONFLICT (stream_id) DO UPDATE SET events = events + 1, total = total + excluded.total`,
    );
    for (const event of events) {
      if (event.globalPosition === this.throwAtPosition) {
        this.throwAtPosition = undefined;
        throw new Error('disk on fire');
      }
      upsert.run(event.streamId, (event.data as { n: number }).n);
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

function tallies(db: ReadModelDatabase): { stream_id: string; events: number; total: number }[] {
  return db.sql.prepare(`SELECT * FROM ${db.liveTable('tally', 'streams')} ORDER BY stream_id`).all() as never;
}

const stores: EventStore[] = [];
async function openStore(): Promise<EventStore> {
  const store = await createSqliteEventStore({ file: ':memory:' });
  stores.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ProjectionRunner', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-projections-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies every handled event once and moves the checkpoint past unhandled ones', async () => {
    const store = await openStore();
    await appendMany(store, 30);
    const db = new ReadModelDatabase({ file: ':memory:' });
    const runner = new ProjectionRunner(store, db, new TallyProjection(), { batchSize: 7 });
    await runner.start();
    await until(() => runner.position === 60);
    expect(tallies(db)).toEqual([
      { stream_id: 's-0', events: 10, total: 165 },
      { stream_id: 's-1', events: 10, total: 145 },
      { stream_id: 's-2', events: 10, total: 155 },
    ]);
    expect(db.liveBuild('tally')).toMatchObject({ build: 1, version: 1, position: 60, status: 'live' });
    await expect(runner.status()).resolves.toEqual({ name: 'tally', version: 1, build: 1, live: true, state: 'following', position: 60, head: 60, lag: 0 });
    await runner.stop();
    db.close();
  });

  it('rolls back a batch that throws midway and retries it from the checkpoint, giving the uninterrupted result', async () => {
    const store = await openStore();
    await appendMany(store, 30);
    const db = new ReadModelDatabase({ file: ':memory:' });
    const failing = new TallyProjection();
    failing.throwAtPosition = 25; // inside the 3rd batch of 10, after 2 of its events were written
    const runner = new ProjectionRunner(store, db, failing, { batchSize: 10, retryDelayMs: 5 });
    await runner.start();
    await until(() => runner.position === 60);

    const reference = new ReadModelDatabase({ file: ':memory:' });
    const cleanStore = await openStore();
    await appendMany(cleanStore, 30);
    const clean = new ProjectionRunner(cleanStore, reference, new TallyProjection());
    await clean.start();
    await until(() => clean.position === 60);

    expect(tallies(db)).toEqual(tallies(reference));
    await Promise.all([runner.stop(), clean.stop()]);
    db.close();
    reference.close();
  });

  it('resumes after a restart from the committed checkpoint without applying an event twice', async () => {
    const file = join(dir, 'projections.sqlite');
    const store = await openStore();
    await appendMany(store, 12);
    let db = new ReadModelDatabase({ file });
    const crashing = new TallyProjection();
    crashing.throwAtPosition = 15;
    let runner = new ProjectionRunner(store, db, crashing, { batchSize: 4, retryDelayMs: 60_000 });
    await runner.start();
    await until(async () => (await runner.status()).state === 'failed');
    expect(db.liveBuild('tally')?.position).toBe(12);
    await runner.stop();
    db.close(); // the process dies here

    await appendMany(store, 6);
    db = new ReadModelDatabase({ file });
    runner = new ProjectionRunner(store, db, new TallyProjection(), { batchSize: 4 });
    await runner.start();
    await until(() => runner.position === 36);
    const events = tallies(db).reduce((sum, row) => sum + row.events, 0);
    expect(events).toBe(18);
    await runner.stop();
    db.close();
  });

  it('builds a new version beside the live one and switches to it once caught up', async () => {
    const store = await openStore();
    await appendMany(store, 9);
    const db = new ReadModelDatabase({ file: ':memory:' });
    const v1 = new ProjectionRunner(store, db, new TallyProjection(1));
    await v1.start();
    await until(() => v1.position === 18);
    await v1.stop();

    const v2Projection = new TallyProjection(2);
    let liveWhileBuilding: string | undefined;
    const originalApply = v2Projection.apply.bind(v2Projection);
    v2Projection.apply = (events, tx) => {
      liveWhileBuilding ??= db.liveTable('tally', 'streams');
      originalApply(events, tx);
    };
    const v2 = new ProjectionRunner(store, db, v2Projection, { batchSize: 5 });
    await v2.start();
    await until(() => db.liveBuild('tally')?.version === 2);

    expect(liveWhileBuilding).toBe('tally_v1_b1_streams');
    expect(db.liveTable('tally', 'streams')).toBe('tally_v2_b2_streams');
    expect(tallies(db).map((t) => t.events)).toEqual([3, 3, 3]);
    const tables = db.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tally_%'`).pluck().all();
    expect(tables).toEqual(['tally_v2_b2_streams']);
    expect(db.builds('tally').map((b) => b.build)).toEqual([2]);
    await v2.stop();
    db.close();
  });

  it('rebuilds the live version beside itself: the live build keeps answering and following until the new one switches in', async () => {
    const store = await openStore();
    await appendMany(store, 9);
    const db = new ReadModelDatabase({ file: ':memory:' });
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
    const projection = new TallyProjection();
    const projector = new Projector(gated, db, [projection], { batchSize: 4 });
    await projector.start();
    await until(() => projector.runners[0].position === 18);

    const liveRunner = projector.runners[0];
    const rebuilding = projector.rebuild('tally');
    expect(rebuilding).toMatchObject({ projections: ['tally'], state: 'running', builds: [{ name: 'tally', build: 2, live: false }] });
    await firstBatch;
    // The rebuild has begun; events keep arriving, and the live build keeps taking and answering them.
    await appendMany(store, 3);
    await until(() => liveRunner.position === 24);
    const duringRebuild = { live: db.liveTable('tally', 'streams'), events: tallies(db).reduce((sum, t) => sum + t.events, 0) };
    release();
    await until(() => db.liveBuild('tally')?.build === 2 && projector.runners.length === 1 && projector.runners[0].position === 24);

    expect(duringRebuild).toEqual({ live: 'tally_v1_b1_streams', events: 12 });
    expect(tallies(db).reduce((sum, t) => sum + t.events, 0)).toBe(12);
    expect(await liveRunner.status()).toMatchObject({ state: 'stopped', build: 1 });
    expect(db.builds('tally')).toEqual([expect.objectContaining({ build: 2, status: 'live', position: 24 })]);
    await projector.stop();
    db.close();
  });

  it('resumes a half-done build after a restart instead of starting it again', async () => {
    const file = join(dir, 'projections.sqlite');
    const store = await openStore();
    await appendMany(store, 10);
    let db = new ReadModelDatabase({ file });
    await new ProjectionRunner(store, db, new TallyProjection(1)).start().then(() => until(() => db.livePosition('tally') === 20));
    db.close();

    db = new ReadModelDatabase({ file });
    const interrupted = new TallyProjection(2);
    interrupted.throwAtPosition = 13;
    const v2 = new ProjectionRunner(store, db, interrupted, { batchSize: 4, retryDelayMs: 60_000 });
    await v2.start();
    await until(async () => (await v2.status()).state === 'failed');
    await v2.stop();
    db.close(); // the process dies half-way through building v2

    db = new ReadModelDatabase({ file });
    const resumed = new TallyProjection(2);
    const runner = new ProjectionRunner(store, db, resumed, { batchSize: 4 });
    await runner.start();
    expect(runner.build).toBe(2);
    await until(() => db.liveBuild('tally')?.version === 2);
    expect(resumed.applied).toBe(4); // positions 13–20 only: 12 was already built
    expect(tallies(db).reduce((sum, t) => sum + t.events, 0)).toBe(10);
    await runner.stop();
    db.close();
  });

  it('refuses to run a version older than the live one', async () => {
    const store = await openStore();
    const db = new ReadModelDatabase({ file: ':memory:' });
    const v2 = new ProjectionRunner(store, db, new TallyProjection(2));
    await v2.start();
    await v2.stop();
    await expect(new ProjectionRunner(store, db, new TallyProjection(1)).start()).rejects.toThrow(/newer than this code's version 1/);
    db.close();
  });
});

describe('ReadModelProgress', () => {
  it('resolves once the named read models cover the position, and reports those behind on timeout', async () => {
    const store = await openStore();
    const db = new ReadModelDatabase({ file: ':memory:' });
    const runner = new ProjectionRunner(store, db, new TallyProjection());
    await runner.start();
    const progress = new ReadModelProgress(store, [readModelSource(db, 'tally')]);
    await appendMany(store, 5);
    await progress.waitForPosition(10);
    expect(tallies(db).reduce((sum, row) => sum + row.events, 0)).toBe(5);

    await runner.stop();
    await appendMany(store, 1);
    await expect(progress.waitForPosition(12, { timeoutMs: 50 })).rejects.toEqual(new ReadModelsBehindError(12, [{ name: 'tally', position: 10 }]));
    db.close();
  });
});
