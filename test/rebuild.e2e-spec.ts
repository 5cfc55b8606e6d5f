import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { createEventStore, createSqliteEventStore, EVENT_STORE, EventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { ReadModelProgress, rebuildProjections } from '@vigil/projections';
import { trialLogPatientId, writeTrialLog } from '../libs/projections/src/testing/trial-log';
import { projectionsCommand } from '../apps/vigil/src/cli/projections.command';
import { buildsOf, ChildProgress, halfDoneCheckpoints, readModelContents, rebuildChild } from './support/kill-and-resume/rebuild-process';
import { daysAgo, startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually } from './harness/webhook-receiver';

type Overview = {
  name: string;
  version: number;
  liveBuild: number;
  state: string;
  position: number;
  head: number;
  lag: number;
  builds: { build: number; status: string }[];
  rebuild: Record<string, unknown> | null;
};

jest.setTimeout(120_000);

describe('Rebuilding read models over HTTP, beside the live ones (embedded store)', () => {
  let vigil: VigilHarness;
  // Small batches: the rebuild yields to HTTP often, so queries land while it runs (a typed read skips the lab results
  // the safety and alert read models do not handle: a batch of 25 of theirs spans a few hundred events of the log).
  beforeEach(async () => (vigil = await startVigil({ env: { VIGIL_PROJECTION_BATCH_SIZE: '25' } })));
  afterEach(() => vigil.close());

  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const settled = async () => vigil.app.get(ReadModelProgress).waitForPosition(await store().headPosition(), { timeoutMs: 30_000 });
  const dataManager = () => vigil.as('data_manager', [], { sub: 'u-dana', name: 'Dana Data' });
  const projection = async (name: string) => (await dataManager().get(`/projections/${name}`).expect(200)).body as Overview;
  const allAlerts = async () => (await vigil.http().get('/alerts').query({ limit: 500 }).expect(200)).body.items as { alertId: string }[];
  const safetyOf = async (patientId: string) => {
    const { asOf: _asOf, ...summary } = (await vigil.http().get(`/patients/${patientId}/safety`).expect(200)).body;
    return summary;
  };

  it('lists each read model with its version, live build, state, position, head and lag', async () => {
    await writeTrialLog(store(), { events: 300, patients: 3, perAppend: 20 });
    await settled();
    const head = await store().headPosition();
    const list = (await dataManager().get('/projections').expect(200)).body.items as Overview[];
    expect(list).toEqual([
      expect.objectContaining({ name: 'safety', version: 4, liveBuild: 1, state: 'following', position: head, head, lag: 0, rebuild: null }),
      expect.objectContaining({ name: 'alert_list', version: 2, liveBuild: 1, state: 'following', position: head, head, lag: 0, rebuild: null }),
    ]);
    expect(await projection('alert-list')).toMatchObject({ name: 'alert_list', builds: [expect.objectContaining({ build: 1, status: 'live' })] });
  });

  it('answers 404 for an unknown read model, 409 naming the running job for a second rebuild, and 403 to an investigator', async () => {
    await writeTrialLog(store(), { events: 6000, patients: 60, perAppend: 20 });
    await settled();
    expect((await dataManager().get('/projections/nonesuch').expect(404)).body).toMatchObject({
      code: 'UNKNOWN_PROJECTION',
      projections: ['safety', 'alert_list'],
    });
    await dataManager().post('/projections/nonesuch/rebuild').expect(404);
    await vigil.as('investigator', ['SAT']).post('/projections/safety/rebuild').expect(403);

    const first = (await dataManager().post('/projections/safety/rebuild').expect(202)).body;
    const second = (await dataManager().post('/projections/safety/rebuild').expect(409)).body;
    expect(second).toMatchObject({ code: 'REBUILD_ALREADY_RUNNING', job: { jobId: first.jobId, projection: 'safety', state: 'running' } });
    const done = await eventually(
      () => projection('safety'),
      (p) => p.rebuild?.state === 'done',
    );
    expect(done.rebuild).toMatchObject({
      jobId: first.jobId,
      done: expect.any(Number),
      total: expect.any(Number),
      eventsPerSecond: expect.any(Number),
      etaSeconds: 0,
      resumedFrom: 0,
    });
    expect(done.rebuild?.done).toBe(done.rebuild?.total);
  });

  it('keeps answering every query with the full read model while a rebuild runs, follows new events meanwhile, then switches to the new build', async () => {
    await writeTrialLog(store(), { events: 16000, patients: 80, perAppend: 20 });
    await settled();
    const alertsBefore = await allAlerts();
    const watched = trialLogPatientId(3);
    const summaryBefore = await safetyOf(watched);
    expect(alertsBefore.length).toBeGreaterThan(100);
    const builds = { safety: (await projection('safety')).liveBuild, alert_list: (await projection('alert_list')).liveBuild };

    await dataManager().post('/projections/alert_list/rebuild').expect(202);
    await dataManager().post('/projections/safety/rebuild').expect(202);

    let expectedAlerts = alertsBefore;
    let recordedDuringRebuild: string | undefined;
    const seenWhileRunning = { alerts: 0, summaries: 0 };
    for (;;) {
      const running = (await Promise.all([projection('safety'), projection('alert_list')])).filter((p) => p.rebuild?.state === 'running');
      if (running.length === 0) break;
      expect(await allAlerts()).toEqual(expectedAlerts);
      expect(await safetyOf(watched)).toEqual(summaryBefore);
      seenWhileRunning.alerts++;
      seenWhileRunning.summaries++;
      if (!recordedDuringRebuild && seenWhileRunning.alerts >= 3) {
        // The live build keeps following: a new alerting result shows up before the switch.
        const lab = await vigil
          .http()
          .post(`/patients/${trialLogPatientId(5)}/lab-results`)
          .send({ test: 'PLAT', value: 20, unit: '10*9/L', collectedAt: daysAgo(1) })
          .expect(201);
        recordedDuringRebuild = lab.body.eventId as string;
        await settled();
        expectedAlerts = await allAlerts();
        expect(expectedAlerts.length).toBe(alertsBefore.length + 1);
        expect(expectedAlerts[0]).toMatchObject({ triggeredBy: recordedDuringRebuild, value: 20 });
        expect(expectedAlerts.slice(1)).toEqual(alertsBefore);
      }
    }
    expect(seenWhileRunning.alerts).toBeGreaterThanOrEqual(3);
    expect(recordedDuringRebuild).toBeDefined();

    for (const name of ['safety', 'alert_list'] as const) {
      const after = await projection(name);
      expect(after.rebuild).toMatchObject({ state: 'done' });
      expect(after.liveBuild).not.toBe(builds[name]);
      expect(after.builds).toEqual([expect.objectContaining({ build: after.liveBuild, status: 'live' })]);
    }
    await settled();
    expect(await allAlerts()).toEqual(expectedAlerts);
    expect(await safetyOf(watched)).toEqual(summaryBefore);
    // The new live builds follow the log too.
    await vigil
      .http()
      .post(`/patients/${trialLogPatientId(6)}/lab-results`)
      .send({ test: 'PLAT', value: 21, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
    await settled();
    expect(await allAlerts()).toHaveLength(expectedAlerts.length + 1);
  });
});

describe('A rebuild killed with SIGKILL half-way', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resumes from its own checkpoint when started again, and ends identical to an uninterrupted rebuild', async () => {
    const storeFile = join(dir, 'events.sqlite');
    const store = await createSqliteEventStore({ file: storeFile });
    await writeTrialLog(store, { events: 4000, patients: 40, perAppend: 20 });
    const head = await store.headPosition();
    const killed = join(dir, 'killed.sqlite');
    const clean = join(dir, 'clean.sqlite');
    await rebuildProjections({ store, readModelFile: killed }); // the live builds the rebuild goes beside
    await rebuildProjections({ store, readModelFile: clean });
    await rebuildProjections({ store, readModelFile: clean });
    await store.close();

    const first = rebuildChild(storeFile, killed, 20);
    let seen: ChildProgress | undefined;
    for await (const progress of first.progress) {
      seen = progress;
      if (seen.done >= head / 2) break;
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(seen?.state).toBe('running');

    expect(await buildsOf(killed)).toEqual([
      [
        [1, 'live'],
        [2, 'building'],
      ],
      [
        [1, 'live'],
        [2, 'building'],
      ],
    ]);
    const checkpoints = await halfDoneCheckpoints(killed);
    expect(Math.min(...checkpoints)).toBeGreaterThanOrEqual(head / 2 - 100);
    expect(Math.max(...checkpoints)).toBeLessThan(head);

    const second = rebuildChild(storeFile, killed, 0);
    const progress: ChildProgress[] = [];
    for await (const line of second.progress) progress.push(line);
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(progress[0].resumedFrom).toBe(Math.min(...checkpoints));
    expect(progress[progress.length - 1]).toMatchObject({ state: 'done', done: head, total: head });

    expect(await readModelContents(killed)).toEqual(await readModelContents(clean));
    expect(await buildsOf(killed)).toEqual([[[2, 'live']], [[2, 'live']]]);
  });
});

describe('vigil projections (CLI)', () => {
  let dataDir: string;
  let output: { out: string; err: string; bar: string };
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    output = { out: '', err: '', bar: '' };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Runs `vigil projections …` against the store and read models configured by the environment, with an interactive-looking stderr for the progress bar. */
  const vigil = async (...args: string[]): Promise<number> => {
    const bar = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    bar.on('data', (chunk: Buffer) => (output.bar += chunk.toString()));
    const context = {
      env: { VIGIL_DATA_DIR: dataDir },
      out: (t: string) => (output.out += t),
      err: (t: string) => (output.err += t),
      progressStream: bar,
      exitCode: 0,
    };
    const program = new Command('vigil').exitOverride().addCommand(projectionsCommand(context).exitOverride());
    await program.parseAsync(['node', 'vigil', 'projections', ...args]);
    return context.exitCode;
  };

  it('rebuilds every read model of the configured store with a progress bar, exits 0, and reports status', async () => {
    const store = await createEventStore(eventStoreConfigFromEnv({ VIGIL_DATA_DIR: dataDir }));
    await writeTrialLog(store, { events: 3000, patients: 30, perAppend: 20 });
    await store.close();

    expect(await vigil('status')).toBe(0);
    expect(output.out).toBe('safety v4: never built at 0 of 3000 (lag 3000)\nalert_list v2: never built at 0 of 3000 (lag 3000)\n');

    output.out = '';
    expect(await vigil('rebuild', '--batch-size', '500')).toBe(0);
    expect(output.out).toMatch(/^Rebuilt safety \(build 1\), alert_list \(build 1\): 3000 events read in [\d.]+ s \(\d+ events\/s\); now live at 3000\.\n$/);
    expect(output.bar).toMatch(/\| 3000\/3000 events \| \d+ events\/s \| 0 s left/);

    output.out = '';
    expect(await vigil('rebuild', 'alert-list')).toBe(0);
    expect(output.out).toMatch(/^Rebuilt alert_list \(build 2\)/);
    output.out = '';
    expect(await vigil('status', '--json')).toBe(0);
    expect(JSON.parse(output.out)).toEqual([
      expect.objectContaining({ name: 'safety', liveBuild: 1, position: 3000, head: 3000, lag: 0 }),
      expect.objectContaining({
        name: 'alert_list',
        liveBuild: 2,
        position: 3000,
        head: 3000,
        lag: 0,
        builds: [expect.objectContaining({ build: 2, status: 'live' })],
      }),
    ]);
  });

  it('refuses a read model it does not know, naming those it does', async () => {
    await expect(vigil('rebuild', 'nonesuch')).rejects.toThrow('no projection named "nonesuch"; projections: safety, alert_list');
  });
});
