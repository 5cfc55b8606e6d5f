import type { EventStore } from '@vigil/event-store';
import type { AnyProjection } from './projection';
import { ProjectionRunner, ProjectionRunnerOptions, ProjectionStatus } from './projection-runner';
import type { ReadModelDatabase } from './read-model-database';

/** Runs a set of projections against one store and one read-model database. */
export class Projector {
  readonly runners: ProjectionRunner[];

  constructor(store: EventStore, db: ReadModelDatabase, projections: AnyProjection[], options: ProjectionRunnerOptions = {}) {
    this.runners = projections.map((projection) => new ProjectionRunner(store, db, projection, options));
  }

  async start(): Promise<void> {
    for (const runner of this.runners) await runner.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  status(): Promise<ProjectionStatus[]> {
    return Promise.all(this.runners.map((runner) => runner.status()));
  }
}
