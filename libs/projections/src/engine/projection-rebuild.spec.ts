import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertIdFor, patientStream } from '@vigil/domain';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { AlertList } from './alerts/alert-list';
import { ALERT_LIST } from './alerts/alert-list.projection';
import { AlertStreams } from './alerts/alert-streams';
import { BuildMovedError, ProjectionBuildWriter } from './projection-build';
import { ProjectionRebuild } from './projection-rebuild';
import { Projector } from './projector';
import { ReadModelDatabase } from './read-model-database';
import { rebuildProjections } from './rebuild-projections';
import { PatientSafetySummaries } from './safety/patient-safety-summaries';
import { readWatch } from './safety/patient-watch';
import { SAFETY_PROCESS } from './safety/safety-process.projection';
import { safetyProjections } from './safety/safety-projections';
import { PatientLog } from './testing/patient-log';
import { writeTrialLog } from './testing/trial-log';

/** Every row of the live build of each safety read model, in a stable order. */
/** The live rows, and each patient's watch as read back (records are written per batch: their rows depend on the batching). */
function contents(db: ReadModelDatabase): Record<string, unknown[]> {
  const tables = { patients: db.liveTable(SAFETY_PROCESS, 'patients') as string, records: db.liveTable(SAFETY_PROCESS, 'records') as string };
  const patients = db.sql.prepare(`SELECT * FROM ${tables.patients} ORDER BY patient_id`).all() as { patient_id: string }[];
  return {
    alerts: db.sql.prepare(`SELECT * FROM ${db.liveTable(ALERT_LIST, 'alerts')} ORDER BY alert_id`).all(),
    patients,
    watches: patients.map((row) => readWatch((sql) => db.statement(sql), tables, row.patient_id)),
  };
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

  it('builds beside the live build, switches it in once caught up, drops the old tables and appends no alert event again', async () => {
    await writeTrialLog(store, { events: 2000, patients: 20, perAppend: 10 });
    const db = readModels();
    await rebuildProjections({ store, db });
    const live = contents(db);
    const head = await store.headPosition();
    expect(live.alerts.length).toBeGreaterThan(20);

    const done = await rebuildProjections({ store, db, batchSize: 333 });

    expect(done).toMatchObject({ state: 'done', done: head, total: head, events: head, resumedFrom: 0 });
    expect(done.builds.map((b) => [b.name, b.build, b.live])).toEqual([
      [SAFETY_PROCESS, 2, true],
      [ALERT_LIST, 2, true],
    ]);
    expect(contents(db)).toEqual(live);
    expect(await store.headPosition()).toBe(head);
    const tables = db.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'projection_builds' ORDER BY name`).pluck().all();
    expect(tables).toEqual(['alert_list_v1_b2_alerts', 'safety_v3_b2_patients', 'safety_v3_b2_records']);
    db.close();
  });

  it('resumes a rebuild stopped half-way from its own checkpoint, and ends identical to an uninterrupted rebuild', async () => {
    await writeTrialLog(store, { events: 1500, patients: 15, perAppend: 10 });
    const db = readModels();
    await rebuildProjections({ store, db });

    let stopped: ProjectionRebuild | undefined;
    const interrupted = new ProjectionRebuild(store, db, safetyProjections(new AlertStreams(store)), {
      batchSize: 100,
      onProgress: (progress) => {
        if (progress.done >= 700) void stopped?.stop();
      },
    });
    stopped = interrupted;
    const halfway = await interrupted.run();
    expect(halfway.state).toBe('stopped');
    expect(db.builds(SAFETY_PROCESS)).toEqual([
      expect.objectContaining({ build: 1, status: 'live' }),
      expect.objectContaining({ build: 2, status: 'building', position: halfway.done }),
    ]);

    const resumed = await rebuildProjections({ store, db, batchSize: 100 });
    expect(resumed).toMatchObject({ state: 'done', resumedFrom: halfway.done, eventsRead: (await store.headPosition()) - halfway.done });
    expect(resumed.builds.map((b) => b.build)).toEqual([2, 2]);

    const clean = readModels('clean.sqlite');
    await rebuildProjections({ store, db: clean, batchSize: 1000 });
    expect(contents(db)).toEqual(contents(clean));
    db.close();
    clean.close();
  });

  it('reads old event versions through the upcasters: a v1 platelet count in /mm³ raises its TR-PLT alert normalised', async () => {
    const log = new PatientLog(store);
    await log.enrol('P-201', 'RA');
    const [v1] = (
      await store.append(
        patientStream('P-201'),
        [
          {
            type: 'LabResultRecorded',
            schemaVersion: 1, // before `normalised` existed
            data: { patientId: 'P-201', test: 'PLAT', value: 8000, unit: '/mm3', collectedAt: '2026-02-02T08:00:00.000Z' },
            metadata: { userId: 'investigator-1', role: 'investigator', siteId: 'PSL', occurredAt: '2026-02-02T08:00:00.000Z', correlationId: 'c-201' },
          },
        ],
        { expectedVersion: 1 },
      )
    ).events;
    const db = readModels();
    await rebuildProjections({ store, db });

    const alerts = new AlertList(db);
    expect(alerts.find().items).toEqual([
      expect.objectContaining({
        alertId: alertIdFor(v1.eventId, 'TR-PLT'),
        ruleId: 'TR-PLT',
        value: 8000,
        unit: '/mm3',
        normalisedValue: 8,
        normalisedUnit: '10*9/L',
        status: 'open',
      }),
    ]);
    expect(new PatientSafetySummaries(db, alerts).get('P-201').labs).toEqual([
      expect.objectContaining({ test: 'PLAT', flags: ['TR-PLT'], latest: expect.objectContaining({ normalisedValue: 8 }) }),
    ]);
    db.close();
  });

  it('lets a server follow the build that another process (a CLI rebuild) switched live', async () => {
    const log = new PatientLog(store);
    await log.enrol('P-202', 'RA');
    await log.lab('P-202', 'PLAT', 40, '10*9/L');
    const server = readModels();
    const projector = new Projector(store, server, safetyProjections(new AlertStreams(store)), { retryDelayMs: 5 });
    await projector.start();
    await until(async () => (await projector.status()).every((s) => s.position === 3));

    const cli = readModels(); // the same file, another connection
    await rebuildProjections({ store, db: cli });
    cli.close();

    await log.lab('P-202', 'PLAT', 30, '10*9/L');
    await until(async () => new AlertList(server).find().items.length === 2);
    expect((await projector.status()).map((s) => [s.name, s.build, s.live])).toEqual([
      [SAFETY_PROCESS, 2, true],
      [ALERT_LIST, 2, true],
    ]);
    await projector.stop();
    server.close();
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
    const [, alertList] = safetyProjections(new AlertStreams(store));
    ProjectionBuildWriter.open(db, alertList); // build 1, live
    const first = ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    const second = ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    expect([first.build, second.build]).toEqual([2, 2]);

    await first.write(await batch(0, 150));
    await expect(second.write(await batch(0, 150))).rejects.toBeInstanceOf(BuildMovedError);
    expect(second.resync()).toBe(150);
    await second.write(await batch(150, 300));
    expect(db.build(ALERT_LIST, 2)?.position).toBe(300);
    db.close();
  });

  it('does not switch a build live while the live build covers more of the log', async () => {
    const db = new ReadModelDatabase({ file: ':memory:' });
    const [, alertList] = safetyProjections(new AlertStreams(store));
    const live = ProjectionBuildWriter.open(db, alertList);
    await live.write(await batch(0, 300));
    const rebuilt = ProjectionBuildWriter.open(db, alertList, { rebuild: true });
    await rebuilt.write(await batch(0, 200));
    expect(rebuilt.switchLive()).toEqual({ switched: false });
    expect(db.liveBuild(ALERT_LIST)?.build).toBe(1);
    await rebuilt.write(await batch(200, 300));
    expect(rebuilt.switchLive()).toMatchObject({ switched: true, replaced: expect.objectContaining({ build: 1 }) });
    expect(db.builds(ALERT_LIST)).toEqual([expect.objectContaining({ build: 2, status: 'live', position: 300 })]);
    db.close();
  });

  it('commits the batches of a build not yet live without waiting for the disk, and every other transaction durably', async () => {
    const db = new ReadModelDatabase({ file: join(mkdtempSync(join(tmpdir(), 'vigil-sync-')), 'projections.sqlite') });
    const seen: number[] = [];
    db.transaction(() => seen.push(db.sql.pragma('synchronous', { simple: true }) as number), { durable: false });
    db.transaction(() => seen.push(db.sql.pragma('synchronous', { simple: true }) as number));
    expect(seen).toEqual([1, 2]); // NORMAL, then FULL
    expect(db.sql.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });
});
