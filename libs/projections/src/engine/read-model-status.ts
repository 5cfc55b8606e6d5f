import type { EventStore } from '@vigil/event-store';
import type { ProjectionBuild, ReadModelDatabase } from './read-model-database';

/** A read model as its registry records it: what any process sharing the database can tell. */
export interface ReadModelStatus {
  name: string;
  /** The projection's code version. */
  version: number;
  /** The build answering queries, null before the first one started. */
  liveBuild: number | null;
  /** Position the live build covers. */
  position: number;
  head: number;
  lag: number;
  /** Every build in the registry: the live one, and any being built beside it (a rebuild, maybe half-done). */
  builds: ProjectionBuild[];
}

export async function readModelStatus(
  store: EventStore,
  db: ReadModelDatabase,
  projection: { name: string; version: number },
  head?: number,
): Promise<ReadModelStatus> {
  const last = head ?? (await store.headPosition());
  const builds = await db.builds(projection.name);
  const live = builds.find((b) => b.status === 'live');
  const position = live?.position ?? 0;
  return {
    name: projection.name,
    version: projection.version,
    liveBuild: live?.build ?? null,
    position,
    head: last,
    lag: Math.max(0, last - position),
    builds,
  };
}
