import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EventStore } from '@vigil/event-store';
import type { Projection } from './projection';
import { projectionNamed, RebuildAlreadyRunningError } from './projection-errors';
import { ProjectionRebuild, RebuildProgress } from './rebuild-job';
import { ProjectionRunner, ProjectionRunnerOptions, ProjectionState, ProjectionStatus } from './projection-runner';
import type { ReadModelSql } from '../store/read-model-store';
import type { ReadModelDatabase } from './read-model-database';
import { readModelStatus, ReadModelStatus } from './read-model-status';

/** A read model as an operator sees it: which build answers, how far it is, what follows it, and its rebuild. */
export interface ProjectionOverview extends ReadModelStatus {
  /** State of the runner following the log for it. */
  state: ProjectionState;
  /** The rebuild running now, else the last one this process ran (null if none). */
  rebuild: RebuildProgress | null;
  error?: string;
}

export interface ProjectorOptions extends Omit<ProjectionRunnerOptions, 'onRetired' | 'fence'> {
  /** Events read per batch by a rebuild (default: `batchSize`, else 2000). */
  rebuildBatchSize?: number;
  /** The fence of a projection's writes on this node (its lease), when several nodes may run it. */
  fence?: (projection: string) => (sql: ReadModelSql) => Promise<void>;
  /**
   * Several nodes: a rebuild asked of a node that does not run the read model is handed to the node that
   * does (a request row it takes within a heartbeat), instead of running here unfenced.
   */
  rebuildOnOwner?: boolean;
}

/**
 * Runs a set of projections against one store and one read-model database: one runner per projection
 * follows the log into its live build, and rebuilds run beside them as jobs, one per projection at a
 * time. When another build becomes live (a rebuild here, or one switched by another process such as
 * `vigil projections rebuild`), the runner of the replaced build retires and a new one follows the
 * new live build from its checkpoint.
 */
export class Projector {
  private readonly logger = new Logger('Projector');
  private readonly byName = new Map<string, ProjectionRunner>();
  private readonly rebuilds = new Map<string, ProjectionRebuild>();
  /** The last rebuild of each read model that ended (done, stopped or failed), for its progress. */
  private readonly finished = new Map<string, ProjectionRebuild>();
  /** The projections whose runners run in this process (all, or those whose lease it holds). */
  private readonly following = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions = {},
  ) {
    for (const projection of projections) this.byName.set(projection.name, this.runnerFor(projection));
  }

  get runners(): readonly ProjectionRunner[] {
    return [...this.byName.values()];
  }

  async start(): Promise<void> {
    for (const name of this.byName.keys()) await this.follow(name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byName.keys()].map((name) => this.unfollow(name)));
  }

  /** Runs one projection here (its node took its lease): its runner resumes from the checkpoint. */
  async follow(name: string): Promise<void> {
    const projection = projectionNamed(this.projections, name);
    this.following.add(projection.name);
    await (this.byName.get(projection.name) as ProjectionRunner).start();
  }

  /** Stops one projection here (its lease lost or given up), and its rebuild; another node may take both over. */
  async unfollow(name: string): Promise<void> {
    const projection = projectionNamed(this.projections, name);
    this.following.delete(projection.name);
    await this.rebuilds.get(projection.name)?.stop();
    const runner = this.byName.get(projection.name) as ProjectionRunner;
    await runner.stop();
    // A fresh runner, stopped: it opens the build that is live when this node follows the projection again.
    this.byName.set(projection.name, this.runnerFor(projection));
  }

  /** Whether this process runs the projection now. */
  follows(name: string): boolean {
    return this.following.has(projectionNamed(this.projections, name).name);
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.adoptSwitchedBuilds();
    return Promise.all([...this.byName.values()].map((runner) => runner.status()));
  }

  async overview(): Promise<ProjectionOverview[]> {
    return Promise.all(this.projections.map((projection) => this.describe(projection.name)));
  }

  /** One read model by name (kebab-case accepted); UnknownProjectionError when there is none. */
  async describe(name: string): Promise<ProjectionOverview> {
    const projection = projectionNamed(this.projections, name);
    await this.adoptSwitchedBuilds();
    const runner = this.byName.get(projection.name) as ProjectionRunner;
    const status = await runner.status();
    const rebuild = this.rebuilds.get(projection.name) ?? this.finished.get(projection.name);
    return {
      ...(await readModelStatus(this.store, this.db, projection, status.head)),
      state: status.state,
      rebuild: rebuild?.progress() ?? null,
      ...(status.error ? { error: status.error } : {}),
    };
  }

  /**
   * Starts rebuilding a read model beside its live build (resuming a half-done rebuild of it, if one
   * was left) and answers at once with the job; its progress shows in `describe`.
   * RebuildAlreadyRunningError when one is running (or a new version is being built).
   */
  rebuild(name: string): RebuildProgress | Promise<RebuildProgress> {
    const projection = projectionNamed(this.projections, name);
    if (this.options.rebuildOnOwner && !this.following.has(projection.name)) return this.requestOfOwner(projection.name);
    return this.startRebuild(projection).progress();
  }

  /**
   * Runs the rebuilds other nodes asked for, of the read models this node runs. A request is removed only
   * once its rebuild has recorded its builds (a crash from then on leaves them to be resumed), or when one
   * already runs: a node that dies or loses the lease before that leaves it to the next owner.
   */
  async takeRebuildRequests(): Promise<RebuildProgress[]> {
    const names = await this.db.rebuildRequests([...this.following]);
    const started: RebuildProgress[] = [];
    for (const name of names) {
      try {
        const rebuild = this.startRebuild(projectionNamed(this.projections, name));
        if (!(await rebuild.recorded())) continue; // failed before recording anything, and logged: asked again next time
        started.push(rebuild.progress());
        this.logger.log(`${name}: rebuilding, as another node asked`);
      } catch (error) {
        if (!(error instanceof RebuildAlreadyRunningError)) throw error;
      }
      await this.db.removeRebuildRequest(name);
    }
    return started;
  }

  private startRebuild(projection: Projection): ProjectionRebuild {
    const running = this.rebuilds.get(projection.name);
    if (running) throw new RebuildAlreadyRunningError(projection.name, running.progress());
    const runner = this.byName.get(projection.name) as ProjectionRunner;
    if (runner.build > 0 && !runner.isLive && !runner.isRetired) throw new RebuildAlreadyRunningError(projection.name, null);
    const rebuild = new ProjectionRebuild(this.store, this.db, [projection], {
      batchSize: this.options.rebuildBatchSize ?? this.options.batchSize,
      upcast: this.options.upcast,
      fence: this.options.fence,
    });
    this.rebuilds.set(projection.name, rebuild);
    void rebuild
      .run()
      .then(
        (done) => (done.state === 'done' ? this.replaceRunner(projection.name) : undefined),
        () => undefined, // logged by the rebuild; its progress says 'failed'
      )
      .finally(() => {
        this.rebuilds.delete(projection.name);
        this.finished.set(projection.name, rebuild);
      });
    return rebuild;
  }

  private async requestOfOwner(name: string): Promise<RebuildProgress> {
    const jobId = randomUUID();
    await this.db.requestRebuild(name, jobId);
    const now = new Date().toISOString();
    const status = await readModelStatus(this.store, this.db, projectionNamed(this.projections, name));
    return {
      jobId,
      projections: [name],
      builds: [],
      state: 'requested',
      done: 0,
      total: status.head,
      resumedFrom: 0,
      eventsRead: 0,
      eventsPerSecond: 0,
      etaSeconds: null,
      startedAt: now,
    };
  }

  private runnerFor(projection: Projection): ProjectionRunner {
    return new ProjectionRunner(this.store, this.db, projection, {
      ...this.options,
      fence: this.options.fence?.(projection.name),
      onRetired: (runner) => void this.replaceRunner(runner.name, runner),
    });
  }

  /** Another build became live: a fresh runner follows it from its checkpoint. */
  private async replaceRunner(name: string, retired?: ProjectionRunner): Promise<void> {
    const current = this.byName.get(name);
    if (!current || (retired && current !== retired)) return;
    try {
      if (!retired && !current.isRetired && (await current.refreshLive())) return; // already follows the live build
    } catch (error) {
      // The database is away: the runner keeps its build; the next look for switched builds replaces it.
      this.logger.error(`${name}: cannot tell whether a new build is live: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const next = this.runnerFor(current.projection);
    this.byName.set(name, next);
    await current.stop();
    if (!this.following.has(name)) return;
    try {
      await next.start();
      this.logger.log(`${name}: now following build ${next.build}`);
    } catch (error) {
      this.logger.error(`${name}: cannot follow the new live build: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A runner whose build another process replaced while no event came to tell it: replaced now. */
  private async adoptSwitchedBuilds(): Promise<void> {
    for (const [name, runner] of this.byName) {
      if (!this.following.has(name)) continue;
      if (runner.build > 0 && !this.rebuilds.has(name) && !(await runner.refreshLive()) && (await this.db.build(name, runner.build)) === undefined)
        void this.replaceRunner(name, runner);
    }
  }
}
