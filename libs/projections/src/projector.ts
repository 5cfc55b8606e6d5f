import type { EventStore } from '@vigil/event-store';
import type { AnyProjection } from './projection';
import { ProjectionRunner, ProjectionRunnerOptions, ProjectionStatus } from './projection-runner';
import type { Checkpoint, ReadModelDatabase } from './read-model-database';

/** Runs a set of projections against one store and one read-model database. */
export class Projector {
  private runnerList: ProjectionRunner[];

  constructor(
    private readonly store: EventStore,
    private readonly db: ReadModelDatabase,
    projections: AnyProjection[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.runnerList = projections.map((projection) => new ProjectionRunner(store, db, projection, options));
    db.events.on('switched', this.onSwitched);
  }

  get runners(): readonly ProjectionRunner[] {
    return this.runnerList;
  }

  async start(): Promise<void> {
    for (const runner of this.runnerList) await runner.start();
  }

  async stop(): Promise<void> {
    this.db.events.off('switched', this.onSwitched);
    await Promise.all(this.runnerList.map((runner) => runner.stop()));
  }

  status(): Promise<ProjectionStatus[]> {
    return Promise.all(this.runnerList.map((runner) => runner.status()));
  }

  /**
   * Rebuilds a read model from the start of the log, beside the live build, which keeps answering
   * and following until the new build has caught up and is switched live in one transaction.
   * Resolves once the rebuild has started (its progress shows in `status()`).
   */
  async rebuild(name: string): Promise<ProjectionStatus> {
    const live = this.runnerList.find((runner) => runner.name === name);
    if (!live) throw new Error(`no projection named ${name}`);
    const building = this.runnerList.find((runner) => runner.name === name && runner !== live && !runner.isLive);
    if (building) return building.status();
    const runner = new ProjectionRunner(this.store, this.db, live.projection, { ...this.options, rebuild: true });
    this.runnerList = [...this.runnerList, runner];
    await runner.start();
    return runner.status();
  }

  /** Once a new build is live, the runners of the builds it replaced stop and leave the set. */
  private readonly onSwitched = (switched: Checkpoint): void => {
    const retired = this.runnerList.filter((runner) => runner.name === switched.name && runner.build !== switched.build);
    if (retired.length === 0) return;
    this.runnerList = this.runnerList.filter((runner) => !retired.includes(runner));
    void Promise.all(retired.map((runner) => runner.stop()));
  };
}
