import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { ALERT_LIST, AlertListProjection } from '../read-models/alerts/alert-list.projection';
import { PatientOverviews } from '../read-models/patients/patient-overview';
import { PATIENT_OVERVIEW } from '../read-models/patients/patient-overview.projection';
import { readModels as allReadModels } from '../read-models/read-models';
import { PatientLog } from '../testing/patient-log';
import { writeTrialLog } from '../testing/trial-log';
import { BuildMovedError, ProjectionBuildWriter } from './projection-build';
import { ProjectionRebuild } from './rebuild-job';
import { Projector } from './projector';
import { ReadModelDatabase } from './read-model-database';
import { rebuildProjections } from './rebuild-to-completion';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';

/** Every row of the live build of each read model, in a stable order. */
function contents(db: ReadModelDatabase): Promise<Record<string, unknown[]>> {
  return db.read(async (sql) => ({
    alerts: await sql.all(`SELECT * FROM ${await db.liveTable(ALERT_LIST, 'alerts', sql)} ORDER BY alert_id`),
    patients: await sql.all(`SELECT * FROM ${await db.liveTable(PATIENT_OVERVIEW, 'patients', sql)} ORDER BY patient_id`),
  }));
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ProjectionRebuild', () => {
  let dir: string;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rebuild-'));
    store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const readModels = (file = 'projections.sqlite') => new ReadModelDatabase({ file: join(dir, file) });

  it('builds beside the live build, switches it in once caught up, drops the old tables and appends nothing to the log', async () => {
    await writeTrialLog(store, { events: 2000, patients: 20, perAppend: 10 });
    const db = readModels();
    await rebuildProjections({ store, db });
    const live = await contents(db);
    const head = await store.headPosition();
    expect(live.alerts.length).toBeGreaterThan(20);

    const done = await rebuildProjections({ store, db, batchSize: 333 });

    expect(done).toMatchObject({ state: 'done', done: head, total: head, events: head, resumedFrom: 0 });
    expect(done.builds.map((b) => [b.name, b.build, b.live])).toEqual([
      [PATIENT_OVERVIEW, 2, true],
      [ALERT_LIST, 2, true],
    ]);
    expect(await contents(db)).toEqual(live);
    expect(live.patients).toHaveLength(20);
    expect(await store.headPosition()).toBe(head);
    const tables = await db.read(async (sql) => [
      ...(await db.store.tablesStartingWith(sql, 'alert_list_')),
      ...(await db.store.tablesStartingWith(sql, 'safety_')),
    ]);
    expect(tables).toEqual(['alert_list_v2_b2_alerts', 'safety_v4_b2_patients']);
    await db.close();
  });

  it('resumes a rebuild stopped half-way from its own checkpoint, and ends identical to an uninterrupted rebuild', async () => {
    await writeTrialLog(store, { events: 1500, patients: 15, perAppend: 10 });
    const db = readModels();
    await rebuildProjections({ store, db });

    const interrupted: ProjectionRebuild = new ProjectionRebuild(store, db, allReadModels(), {
      batchSize: 100,
      onProgress: (progress) => {
        if (progress.done >= 700) void interrupted.stop();
      },
    });
    const halfway = await interrupted.run();
    expect(halfway.state).toBe('stopped');
    expect(await db.builds(PATIENT_OVERVIEW)).toEqual([
      expect.objectContaining({ build: 1, status: 'live' }),
      expect.objectContaining({ build: 2, status: 'building', position: halfway.done }),
    ]);

    const resumed = await rebuildProjections({ store, db, batchSize: 100 });
    expect(resumed).toMatchObject({ state: 'done', resumedFrom: halfway.done, eventsRead: (await store.headPosition()) - halfway.done });
    expect(resumed.builds.map((b) => b.build)).toEqual([2, 2]);

    const clean = readModels('clean.sqlite');
    await rebuildProjections({ store, db: clean, batchSize: 1000 });
    expect(await contents(db)).toEqual(await contents(clean));
    await db.close();
    await clean.close();
  });

  it('lets a server follow the build that another process (a CLI rebuild) switched live', async () => {
    const log = new PatientLog(store);
    await log.enrol('P-202', 'RA');
    const server = readModels();
    const projector = new Projector(store, server, allReadModels(), { retryDelayMs: 5 });
    await projector.start();
    await until(async () => (await projector.status()).every((s) => s.position === 1));

    const cli = readModels(); // the same file, another connection
    await rebuildProjections({ store, db: cli });
    await cli.close();

    await log.enrol('P-203', 'SLE');
    await until(async () => (await new PatientOverviews(server).list()).length === 2);
    expect((await projector.status()).map((s) => [s.name, s.build, s.live])).toEqual([
      [PATIENT_OVERVIEW, 2, true],
      [ALERT_LIST, 2, true],
    ]);
    await projector.stop();
    await server.close();
  });

  it('keeps a rebuild asked of the owner until the owner has recorded its builds: an owner that loses its lease first leaves it to the next', async () => {
    await writeTrialLog(store, { events: 500, patients: 5, perAppend: 10 });
    const head = await store.headPosition();
    const db = readModels();
    let leaseLost = false;
    const fence = () => async () => {
      if (leaseLost) throw new Error('the lease of this read model is held by another node');
    };
    const owner = new Projector(store, db, allReadModels(), { retryDelayMs: 5, rebuildOnOwner: true, fence });
    await owner.start();
    await until(async () => (await owner.status()).every((s) => s.position === head));
    const apiDb = readModels();
    const api = new Projector(store, apiDb, allReadModels(), { rebuildOnOwner: true }); // follows nothing: asks the owner

    expect(await api.rebuild(ALERT_LIST)).toMatchObject({ state: 'requested', projections: [ALERT_LIST] });
    leaseLost = true;
    expect(await owner.takeRebuildRequests()).toEqual([]);
    expect(await db.rebuildRequests([ALERT_LIST, PATIENT_OVERVIEW])).toEqual([ALERT_LIST]);

    leaseLost = false; // the lease back (or another owner): the request is still there to take
    const [started] = await owner.takeRebuildRequests();
    expect(started).toMatchObject({ state: 'running', projections: [ALERT_LIST] });
    expect(await db.rebuildRequests([ALERT_LIST])).toEqual([]);
    await until(async () => (await owner.describe(ALERT_LIST)).rebuild?.state === 'done');
    expect((await owner.describe(ALERT_LIST)).rebuild?.jobId).toBe(started.jobId);
    expect(await owner.takeRebuildRequests()).toEqual([]);
    await owner.stop();
    await Promise.all([db.close(), apiDb.close()]);
  });
});

describe('ProjectionBuildWriter', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    await writeTrialLog(store, { events: 300, patients: 3, perAppend: 10 });
  });
  afterEach(() => store.close());

  const batch = async (after: number, to: number) => {
    for await (const events of store.readAll({ after, to, batchSize: 10_000 })) return events;
    return [];
  };

  it('never applies an event twice when two writers resume the same build: the second re-reads the checkpoint', async () => {
    const db = new ReadModelDatabase({ file: ':memory:' });
    const alertList = new AlertListProjection();
    await ProjectionBuildWriter.open(db, alertList); // build 1, live
    const first = await ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    const second = await ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    expect([first.build, second.build]).toEqual([2, 2]);

    await first.write(await batch(0, 150));
    await expect(second.write(await batch(0, 150))).rejects.toBeInstanceOf(BuildMovedError);
    expect(await second.resync()).toBe(150);
    await second.write(await batch(150, 300));
    expect((await db.build(ALERT_LIST, 2))?.position).toBe(300);
    await db.close();
  });

  it('does not switch a build live while the live build covers more of the log', async () => {
    const db = new ReadModelDatabase({ file: ':memory:' });
    const alertList = new AlertListProjection();
    const live = await ProjectionBuildWriter.open(db, alertList);
    await live.write(await batch(0, 300));
    const rebuilt = await ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    await rebuilt.write(await batch(0, 200));
    expect(await rebuilt.switchLive()).toEqual({ switched: false });
    expect((await db.liveBuild(ALERT_LIST))?.build).toBe(1);
    await rebuilt.write(await batch(200, 300));
    expect(await rebuilt.switchLive()).toMatchObject({ switched: true, replaced: expect.objectContaining({ build: 1 }) });
    expect(await db.builds(ALERT_LIST)).toEqual([expect.objectContaining({ build: 2, status: 'live', position: 300 })]);
    await db.close();
  });

  it('commits the batches of a build not yet live without waiting for the disk, and every other transaction durably', async () => {
    const store = new SqliteReadModelStore({ file: join(mkdtempSync(join(tmpdir(), 'vigil-sync-')), 'projections.sqlite') });
    const db = new ReadModelDatabase(store);
    const seen: number[] = [];
    await db.transaction(async () => void seen.push(store.db.pragma('synchronous', { simple: true }) as number), { durable: false });
    await db.transaction(async () => void seen.push(store.db.pragma('synchronous', { simple: true }) as number));
    expect(seen).toEqual([1, 2]); // NORMAL, then FULL
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    await db.close();
  });
});
