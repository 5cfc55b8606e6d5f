import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { configFromEnv } from '@vigil/api';
import { createEventStore, EventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { projectorConfigFromEnv } from '@vigil/alerting';
import {
  createReadModelStore,
  Projection,
  ProjectionRebuild,
  projectionNamed,
  ReadModelDatabase,
  readModels,
  readModelStatus,
  RebuildProgress,
} from '@vigil/projections';
import { CliContext } from './cli-context';

const wholeNumber = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of events ≥ 1');
  return n;
};

/** The configured store and read models, as the server finds them (VIGIL_DATA_DIR, VIGIL_EVENT_STORE…). */
async function openReadModels(env: NodeJS.ProcessEnv): Promise<{ store: EventStore; db: ReadModelDatabase; projections: Projection[]; batchSize: number }> {
  const withDataDir = { ...env, VIGIL_DATA_DIR: configFromEnv(env).dataDir };
  const { readModels: where, batchSize } = projectorConfigFromEnv(withDataDir);
  if (where.kind === 'sqlite' && where.sqliteFile === ':memory:')
    throw new Error('the read models are in memory (VIGIL_DATA_DIR or VIGIL_PROJECTIONS_FILE is :memory:): there is nothing on disk to rebuild');
  const store = await createEventStore(eventStoreConfigFromEnv(withDataDir));
  return {
    store,
    db: await ReadModelDatabase.open(await createReadModelStore(where)),
    projections: readModels(),
    batchSize,
  };
}

/**
 * `vigil projections status [--json]` and `vigil projections rebuild [name…] [--batch-size n]`: the read
 * models of the configured store, and their rebuild beside the live builds, the same as
 * POST /projections/:name/rebuild (a server running meanwhile keeps answering, then follows the new
 * builds). A rebuild interrupted (Ctrl-C, kill -9) resumes from its checkpoint when run again.
 */
export function projectionsCommand(context: CliContext): Command {
  const projections = new Command('projections').description('read models built from the event log: their state, and rebuilds');

  projections
    .command('status')
    .description('each read model: code version, live build, position, head, lag, and any build half-done beside it')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const { store, db, projections: all } = await openReadModels(context.env);
      try {
        const head = await store.headPosition();
        const statuses = await Promise.all(all.map((projection) => readModelStatus(store, db, projection, head)));
        if (options.json) return context.out(`${JSON.stringify(statuses, null, 2)}\n`);
        for (const s of statuses) {
          const building = s.builds
            .filter((b) => b.status === 'building')
            .map((b) => `; build ${b.build} half-done at ${b.position} (resumed by \`projections rebuild ${s.name}\`)`);
          context.out(
            `${s.name} v${s.version}: ${s.liveBuild === null ? 'never built' : `live build ${s.liveBuild}`} ` +
              `at ${s.position} of ${s.head} (lag ${s.lag})${building.join('')}\n`,
          );
        }
      } finally {
        await db.close();
        await store.close();
      }
    });

  projections
    .command('rebuild')
    .description('rebuild read models (default: all) from the whole log beside the live builds, then switch them live; exits 0 when done')
    .argument('[names...]', 'read models to rebuild, default all: safety, alert_list (kebab-case accepted)')
    .option('--batch-size <events>', 'events read per batch (default VIGIL_PROJECTION_BATCH_SIZE, else 2000)', wholeNumber)
    .action(async (names: string[], options: { batchSize?: number }) => {
      const { store, db, projections: all, batchSize } = await openReadModels(context.env);
      let rebuild: ProjectionRebuild | undefined;
      let done: RebuildProgress;
      const interrupt = () => void rebuild?.stop();
      try {
        const chosen = names.length > 0 ? [...new Set(names.map((name) => projectionNamed(all, name)))] : all;
        rebuild = new ProjectionRebuild(store, db, chosen, {
          batchSize: options.batchSize ?? batchSize,
          onProgress: progressBar(context.progressStream, context.err),
        });
        process.once('SIGINT', interrupt); // stop after the batch at hand: the builds stay resumable
        done = await rebuild.run();
      } finally {
        process.off('SIGINT', interrupt);
        await db.close();
        await store.close();
      }
      context.out(`${summary(done)}\n`);
      if (done.state === 'stopped') context.exitCode = 130;
    });

  return projections;
}

/** A progress bar on an interactive stderr (events done of the total, events/s, time left); else a line every 10 s. */
function progressBar(stream: NodeJS.WritableStream | null, err: (text: string) => void): (progress: RebuildProgress) => void {
  if (!stream) {
    let last = Date.now();
    return (progress) => {
      if (progress.state !== 'running' || Date.now() - last < 10_000) return;
      last = Date.now();
      err(`rebuilding: ${progress.done}/${progress.total} events, ${progress.eventsPerSecond} events/s, ${progress.etaSeconds ?? '?'} s left\n`);
    };
  }
  const bar = new SingleBar({ stream, format: 'rebuilding {bar} {percentage}% | {value}/{total} events | {rate} events/s | {left} left', hideCursor: true });
  let started = false;
  return (progress) => {
    const payload = { rate: progress.eventsPerSecond, left: progress.etaSeconds === null ? '?' : `${progress.etaSeconds} s` };
    if (!started) bar.start(progress.total, progress.done, payload);
    started = true;
    if (bar.getTotal() !== progress.total) bar.setTotal(progress.total);
    bar.update(progress.done, payload);
    if (progress.state !== 'running') bar.stop();
  };
}

function summary(progress: RebuildProgress): string {
  const seconds = ((Date.parse(progress.finishedAt ?? progress.startedAt) - Date.parse(progress.startedAt)) / 1000).toFixed(1);
  const builds = progress.builds.map((b) => `${b.name} (build ${b.build})`).join(', ');
  const resumed = progress.resumedFrom > 0 ? `, resumed from ${progress.resumedFrom}` : '';
  if (progress.state === 'stopped') return `Stopped at ${progress.done} of ${progress.total}: ${builds} left half-done; run the same command again to resume.`;
  const rate = `${progress.eventsPerSecond} events/s${resumed}`;
  return `Rebuilt ${builds}: ${progress.eventsRead} events read in ${seconds} s (${rate}); now live at ${progress.done}.`;
}
