import type { EventStore } from '@vigil/event-store';
import { readModels } from '../read-models/read-models';
import type { Projection } from './projection';
import { projectionNamed } from './projection-errors';
import { ProjectionRebuild, ProjectionRebuildOptions, RebuildProgress } from './rebuild-job';
import { ReadModelDatabase } from './read-model-database';

export interface RebuildProjectionsOptions extends Omit<ProjectionRebuildOptions, 'onProgress'> {
  store: EventStore;
  /** The read models' database, or its file (`<VIGIL_DATA_DIR>/projections.sqlite`), opened and closed here. */
  db?: ReadModelDatabase;
  readModelFile?: string;
  /** Which read models (kebab-case accepted); default: every one of `projections`. */
  names?: readonly string[];
  /** Default: Vigil's read models (readModels()). */
  projections?: readonly Projection[];
  onProgress?: (progress: RebuildProgress) => void | Promise<void>;
}

/**
 * Rebuilds read models to completion in one pass over the log, beside their live builds, and switches
 * them live (what `vigil projections rebuild` and the benchmarks run). Resumes a rebuild of the same
 * projections left half-done. Resolves with the final progress; `events` is how many events were read.
 */
export async function rebuildProjections(options: RebuildProjectionsOptions): Promise<RebuildProgress & { events: number }> {
  if (!options.db && !options.readModelFile) throw new Error('rebuildProjections needs a db or a readModelFile');
  const all = options.projections ?? readModels();
  const chosen = options.names && options.names.length > 0 ? [...new Set(options.names.map((name) => projectionNamed(all, name)))] : [...all];
  const db = options.db ?? new ReadModelDatabase({ file: options.readModelFile as string });
  try {
    const done = await new ProjectionRebuild(options.store, db, chosen, options).run();
    return { ...done, events: done.eventsRead };
  } finally {
    if (!options.db) await db.close();
  }
}

/** One read model rebuilt to completion (see rebuildProjections). */
export function rebuildProjection(
  store: EventStore,
  db: ReadModelDatabase,
  name: string,
  onProgress?: (progress: RebuildProgress) => void | Promise<void>,
): Promise<RebuildProgress & { events: number }> {
  return rebuildProjections({ store, db, names: [name], onProgress });
}
